package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connection pools to upstreams, one per route configuration (for all of its instances), owned by one verticle so
 * that a request and its upstream connection stay on the same event loop (no hop between loops).
 * Keyed by the route's whole configuration record: a reload that changes a route's settings gets a
 * fresh pool, an unchanged route keeps its warm connections.
 *
 * <p>A pool whose configuration the serving snapshot no longer has is retired ({@link #retireAllBut}, called every
 * {@link #RETIRE_EVERY}): not at the first sweep that misses it, but at the next one. Calls never hold a pool: they
 * look it up at each request ({@link RoutePool}), so a call begun under the old snapshot that sends again after the
 * retirement (a retry, an answer to a server request on its stream) gets a fresh pool for its configuration. Retiring is a graceful shutdown: idle connections
 * close at once, a call or stream in flight finishes on its connection (up to {@link #RETIRED_GRACE}). Without it every
 * reload that changed a route kept the old pool and its idle connections for the life of the process.
 */
public final class UpstreamClients {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpstreamClients.class);

    private final Vertx vertx;
    private final Map<String, ? extends SvidSource> svids;
    private final Map<RouteConfig, HttpClientAgent> clients = new HashMap<>();
    /**
     * The same pools by route object, so a call finds its pool without hashing and comparing the whole
     * configuration record (its lists, URIs and durations) every time. Routes of replaced snapshots are
     * forgotten by clearing once it outgrows the pools.
     */
    private final Map<Route, HttpClientAgent> byRoute = new IdentityHashMap<>();
    /** Pools the last sweep found no serving route for: retired at the next sweep unless a route has them again. */
    private final Set<RouteConfig> unserved = new HashSet<>();

    /** How often pools are checked against the serving configuration. */
    public static final Duration RETIRE_EVERY = Duration.ofSeconds(30);
    /** How long a retired pool's calls and streams in flight may go on before their connections are closed. */
    static final Duration RETIRED_GRACE = Duration.ofHours(24);

    public UpstreamClients(Vertx vertx) {
        this(vertx, Map.of());
    }

    /** @param svids the mTLS listeners' SVID sources by listener name, for routes with {@code upstream-tls} */
    public UpstreamClients(Vertx vertx, Map<String, ? extends SvidSource> svids) {
        this.vertx = vertx;
        this.svids = svids;
    }

    /** The route's pool as a call sees it: looked up at each of the call's requests (see {@link RoutePool}). */
    public RoutePool poolFor(Route route) {
        return new RoutePool(this, route);
    }

    HttpClientAgent clientFor(Route route) {
        HttpClientAgent known = byRoute.get(route);
        if (known != null) {
            return known;
        }
        if (byRoute.size() > 4 * (clients.size() + 1)) {
            byRoute.clear();
        }
        HttpClientAgent client = clients.computeIfAbsent(route.config(), this::create);
        byRoute.put(route, client);
        return client;
    }

    private HttpClientAgent create(RouteConfig route) {
        // Vert.x defaults to 5 connections per upstream; a gateway would queue behind its own pool.
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(route.maxConnections());
        return vertx.httpClientBuilder().with(options(route, svids)).with(pool)
                // An idle pooled connection the instance resets is not an error of any call: the pool drops it.
                .withConnectHandler(connection -> connection.exceptionHandler(e -> LOG.debug("route {}: upstream connection to {} failed: {}",
                        route.name(), connection.remoteAddress(), e.toString())))
                .build();
    }

    /** How the gateway connects to the route's instances (timeouts, no decompression, SPIFFE mTLS); health probes too. */
    static HttpClientOptions options(RouteConfig route, Map<String, ? extends SvidSource> svids) {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) route.connectTimeout().toMillis())
                // No Accept-Encoding is forwarded (UpstreamCall): a compressed answer is refused where it is read, never inflated here.
                .setDecompressionSupported(false);
        if (route.upstreamTls() != null) {
            SpiffeUpstreamTls.configure(options, route.upstreamTls(), svids.get(route.upstreamTls().svid()));
        }
        return options;
    }

    /**
     * Retires the pools of configurations {@code serving} lacks that the previous sweep already found unserved.
     * @return how many pools were retired
     */
    public int retireAllBut(Set<RouteConfig> serving) {
        List<RouteConfig> retiring = new ArrayList<>();
        for (RouteConfig config : clients.keySet()) {
            if (serving.contains(config)) {
                unserved.remove(config);
            } else if (!unserved.add(config)) {
                retiring.add(config);
            }
        }
        for (RouteConfig config : retiring) {
            unserved.remove(config);
            HttpClientAgent pool = clients.remove(config);
            byRoute.values().removeIf(known -> known == pool);
            pool.shutdown(RETIRED_GRACE.toMillis(), TimeUnit.MILLISECONDS).onFailure(e -> LOG.debug("route {}: retiring its old pool: {}",
                    config.name(), e.toString()));
        }
        return retiring.size();
    }

    /** How many pools are open (one per route configuration a call used and that is not retired). */
    int pools() {
        return clients.size();
    }

    public Future<Void> close() {
        List<Future<Void>> closing = new ArrayList<>();
        clients.values().forEach(c -> closing.add(c.close()));
        clients.clear();
        byRoute.clear();
        unserved.clear();
        return Future.all(closing).mapEmpty();
    }
}
