package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.upstream.UpstreamClients;
import io.vertx.core.Vertx;
import java.util.List;

/** The order of the MCP pipeline, in one place, with the reason for each position. */
public final class McpPipeline {

    private McpPipeline() {
    }

    public static Pipeline create(Vertx vertx, UpstreamClients clients, ErrorResponder errors, GatewayMetrics metrics) {
        return new Pipeline(List.of(
                // Cheapest checks first, before a single body byte is read: a rebinding page or a wrong
                // verb costs nothing.
                new HostOriginStage(errors),
                new HttpMethodStage(errors),
                // The whole body is needed before anything can be decided about it.
                new ReadBodyStage(errors, metrics),
                // Parsing precedes every stage that reads the call (policy, spans, audit, budget).
                new ParseJsonRpcStage(errors),
                // Decided before anything is forwarded: a denied call never reaches the upstream.
                new PolicyStage(errors),
                // Last: only vetted requests reach the upstream.
                new ForwardStage(vertx, clients, errors, metrics)), errors);
    }
}
