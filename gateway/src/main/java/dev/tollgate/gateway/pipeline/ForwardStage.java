package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.upstream.UpstreamClients;
import dev.tollgate.gateway.upstream.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The last stage: sends the (already vetted) request to the route's upstream and relays the answer. */
public final class ForwardStage implements Stage {

    private final Vertx vertx;
    private final UpstreamClients clients;
    private final ErrorResponder errors;
    private final GatewayMetrics metrics;
    private final CompletionRecorder completion;
    private final UpstreamLearning learnt;
    private final Upstreams upstreams;

    public ForwardStage(Vertx vertx, UpstreamClients clients, ErrorResponder errors, GatewayMetrics metrics, CompletionRecorder completion,
                        UpstreamLearning learnt, Upstreams upstreams) {
        this.upstreams = upstreams;
        this.vertx = vertx;
        this.clients = clients;
        this.errors = errors;
        this.metrics = metrics;
        this.completion = completion;
        this.learnt = learnt;
    }

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (UpstreamMoved.since(exchange)) {
            exchange.errorType(dev.tollgate.gateway.errors.RejectReason.ROUTE_RELOADED.code());
            errors.respond(exchange.response(), dev.tollgate.gateway.errors.RejectReason.ROUTE_RELOADED,
                    exchange.payload() != null && exchange.payload().messages().size() == 1
                            && exchange.payload().messages().get(0) instanceof dev.tollgate.protocols.jsonrpc.JsonRpcRequest request
                            ? request.id().value() : null, null);
            return StageResult.responded();
        }
        return new UpstreamCall(vertx, exchange, clients.poolFor(exchange.route().route()), errors, metrics, completion, learnt, upstreams).start();
    }
}
