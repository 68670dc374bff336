package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;

/**
 * A call's way to its route's keep-alive pool, looked up at each request rather than held: a call can outlive its pool
 * (an SSE stream open for hours, a retry after a slow first instance), and a pool a reload left behind is retired
 * (shut down) by {@link UpstreamClients#retireAllBut} while such a call runs (review BL). A later request of that call
 * then gets the route's pool as it is now (a fresh one for its configuration if the old one was retired), never a
 * shut-down agent, which Vert.x refuses by throwing.
 */
public final class RoutePool {

    private final UpstreamClients clients;
    private final Route route;

    RoutePool(UpstreamClients clients, Route route) {
        this.clients = clients;
        this.route = route;
    }

    /** A request on the route's pool; a failed future, never a throw, when the pool is closing (the gateway stopping). */
    public Future<HttpClientRequest> request(RequestOptions options) {
        try {
            return clients.clientFor(route).request(options);
        } catch (IllegalStateException closed) {
            return Future.failedFuture(closed);
        }
    }
}
