package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.PathCheck;
import dev.tollgate.gateway.routing.RouteMatch;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * Entry point of every client request on a listener: takes the current snapshot (kept for the whole
 * request, so a reload never changes a call half-way), selects the route and runs the pipeline.
 */
public final class RequestDispatcher implements Handler<HttpServerRequest> {

    private final Supplier<GatewaySnapshot> snapshots;
    private final ListenerRuntime listener;
    private final Pipeline pipeline;
    private final ErrorResponder errors;

    public RequestDispatcher(Supplier<GatewaySnapshot> snapshots, ListenerRuntime listener, Pipeline pipeline,
                             ErrorResponder errors) {
        this.snapshots = snapshots;
        this.listener = listener;
        this.pipeline = pipeline;
        this.errors = errors;
    }

    @Override
    public void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        String path = request.path();
        if (request.uri().indexOf('#') >= 0) {
            // Servers parse the target as a URL and drop the fragment before routing; Vert.x keeps it in the path and
            // the query. /tasks/<id>#x was another caller's task to the agent and task "<id>#x" to the gateway (review O).
            errors.respond(request.response(), RejectReason.INVALID_PATH, null, "a '#' in the request target: servers drop what follows it");
            return;
        }
        if (!PathCheck.isSafe(path)) {
            errors.respond(request.response(), RejectReason.INVALID_PATH, null, null);
            return;
        }
        GatewaySnapshot snapshot = snapshots.get();
        if (ProtectedResourceMetadata.handles(path) && ProtectedResourceMetadata.serve(request, snapshot.config().routes())) {
            return;
        }
        RouteMatch match = snapshot.routes().match(path, request.query());
        if (match == null) {
            match = AgentCardFallback.match(snapshot, request.method().name(), path, request.query());
        }
        if (match == null) {
            String hint = AgentCardFallback.hint(snapshot, request.method().name(), path);
            errors.respond(request.response(), RejectReason.NO_ROUTE, null, hint != null ? hint : "no route's path is a prefix of this path; routes: "
                    + String.join(", ", snapshot.config().routes().stream().map(r -> r.path() + " (" + r.name() + ")").toList()));
            return;
        }
        if (request.method() == HttpMethod.POST) {
            // Hold the body until the body stage installs its handlers; earlier stages may be asynchronous.
            request.pause();
        }
        Exchange exchange = new Exchange(request, snapshot, listener, match, start);
        exchange.liveSnapshots(snapshots);
        pipeline.run(exchange);
    }
}
