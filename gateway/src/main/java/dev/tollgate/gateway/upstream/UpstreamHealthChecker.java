package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.UpstreamsConfig.HealthCheck;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.UpstreamTokens;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.UpstreamTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the instances of every route that has a {@code health-check}, each route on its own interval, from one
 * context of its own: an instance failing {@code unhealthy-after} probes in a row stops taking new calls, and
 * {@code healthy-after} good probes bring it back. Each change is logged once. {@link #watch} is called at start and
 * after every reload; a route whose check or instances did not change keeps its timer and its instances' state, and
 * is probed through the serving route from then on. When a reload removes a route's check, its instances' probed
 * health is forgotten (they take calls again: nothing will probe them); when it changes the check, the streaks start
 * again under the new one. Verdicts of probes that outlive their watch are dropped.
 * HTTP and MCP probes carry the route's {@code oauth.upstream-credential} (see {@link UpstreamCredential}), as every call
 * does: a fixed header, or the gateway's client-credentials token (a round whose token cannot be had probes nothing and
 * changes no verdict: the authorization server is down, not the instances). A token-exchange credential exists only for a
 * caller's token: probes go without it.
 */
public final class UpstreamHealthChecker extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHealthChecker.class);
    /** An MCP request every server answers without a session: errors (400 without a session) still prove it serves. */
    private static final Buffer PING = Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-health-check\",\"method\":\"ping\"}");

    /** One route's probing; {@code route} follows the serving route across reloads that keep the check. */
    private static final class Watched {
        private Route route;
        private long timerId;
        private final HttpClientAgent client;
        /** Set when the watch ends: verdicts of its probes still on their way are dropped. */
        private boolean cancelled;

        private Watched(Route route, HttpClientAgent client) {
            this.route = route;
            this.client = client;
        }
    }

    private final Upstreams upstreams;
    private final Map<String, ? extends SvidSource> svids;
    /** A route's way to its upstream's own token, as the serving snapshot has it (by route name); null when none. */
    private final Function<String, UpstreamTokens> upstreamTokens;
    private final Map<String, Watched> watched = new HashMap<>();
    private NetClient tcp;

    public UpstreamHealthChecker(Upstreams upstreams, Map<String, ? extends SvidSource> svids) {
        this(upstreams, svids, route -> null);
    }

    /** @param upstreamTokens a route's upstream token source by route name (the serving snapshot's), null when none */
    public UpstreamHealthChecker(Upstreams upstreams, Map<String, ? extends SvidSource> svids, Function<String, UpstreamTokens> upstreamTokens) {
        this.upstreams = upstreams;
        this.svids = svids;
        this.upstreamTokens = upstreamTokens;
    }

    @Override
    public Future<?> start() {
        tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
        return Future.succeededFuture();
    }

    /** Checks exactly these routes from now on (call from any thread). */
    public void watch(List<Route> routes) {
        context.runOnContext(v -> rewatch(routes));
    }

    private void rewatch(List<Route> routes) {
        Map<String, Route> wanted = new HashMap<>();
        routes.stream().filter(r -> r.config().upstreams().healthCheck() != null).forEach(r -> wanted.put(r.name(), r));
        for (String name : List.copyOf(watched.keySet())) {
            Route next = wanted.get(name);
            Watched current = watched.get(name);
            if (next != null && sameChecks(current.route, next)) {
                // Probe the serving route's instances (review AY: probing through an old route object disturbed balancing).
                current.route = next;
                continue;
            }
            cancel(current);
            watched.remove(name);
            for (UpstreamInstance instance : upstreams.instancesOf(name)) {
                if (next == null) {
                    // No check any more (review AY): nothing will probe the instance again, so no verdict of one may keep it out.
                    instance.probesForgotten();
                } else {
                    // Another check: its probes count afresh (the last verdict holds until they overturn it).
                    instance.probeStreakForgotten();
                }
            }
        }
        wanted.forEach((name, route) -> {
            if (!watched.containsKey(name)) {
                HealthCheck check = route.config().upstreams().healthCheck();
                Watched watch = new Watched(route, vertx.httpClientBuilder().with(UpstreamClients.options(route.config(), svids)).build());
                watched.put(name, watch);
                probeAll(watch);
                watch.timerId = vertx.setPeriodic(check.interval().toMillis(), id -> probeAll(watch));
            }
        });
    }

    private void cancel(Watched watch) {
        watch.cancelled = true;
        vertx.cancelTimer(watch.timerId);
        watch.client.close();
    }

    private static boolean sameChecks(Route was, Route now) {
        return was.config().upstreams().equals(now.config().upstreams()) && java.util.Objects.equals(was.config().upstreamTls(), now.config().upstreamTls());
    }

    private void probeAll(Watched watch) {
        Route route = watch.route;
        HealthCheck check = route.config().upstreams().healthCheck();
        if (check.probe() == dev.tollgate.gateway.config.UpstreamsConfig.Probe.TCP) {
            probeAll(watch, route, check, null);
            return;
        }
        upstreamToken(route).onComplete(token -> {
            if (watch.cancelled) {
                return;
            }
            if (token.failed()) {
                LOG.warn("route {}: no upstream token for the health probes, none sent this round: {}", route.name(), token.cause().getMessage());
                return;
            }
            probeAll(watch, route, check, token.result());
        });
    }

    /** The gateway's own token for the route's upstream (client credentials); null when the route has none to send. */
    private Future<String> upstreamToken(Route route) {
        var oauth = route.config().oauth();
        if (oauth == null || oauth.upstreamGrant() == null || oauth.upstreamGrant().exchange()
                || oauth.upstreamHeader() != null && oauth.upstreamValue() != null) {
            return Future.succeededFuture();
        }
        UpstreamTokens tokens = upstreamTokens.apply(route.name());
        if (tokens == null) {
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(tokens.tokenFor(null), context);
    }

    private void probeAll(Watched watch, Route route, HealthCheck check, String upstreamToken) {
        for (UpstreamInstance instance : upstreams.of(route).instances()) {
            probe(instance, check, watch.client, route, upstreamToken).onComplete(ar -> {
                if (watch.cancelled) {
                    return;
                }
                boolean good = ar.succeeded() && ar.result() == null;
                String why = ar.succeeded() ? ar.result() : ar.cause().toString();
                if (instance.probed(good, check.healthyAfter(), check.unhealthyAfter())) {
                    if (good) {
                        LOG.info("route {}: upstream {} is healthy again", route.name(), instance.url());
                    } else {
                        LOG.warn("route {}: upstream {} is unhealthy after {} failed probe(s), last: {}", route.name(), instance.url(),
                                check.unhealthyAfter(), why);
                    }
                }
            });
        }
    }

    /** @return null when the probe was good, else what was wrong; failed when the instance could not be reached in time */
    private Future<String> probe(UpstreamInstance instance, HealthCheck check, HttpClientAgent client, Route route, String upstreamToken) {
        UpstreamTarget target = instance.target();
        Promise<String> verdict = Promise.promise();
        long timer = vertx.setTimer(check.timeout().toMillis(), id -> verdict.tryComplete("no answer within " + check.timeout()));
        Future<String> probing = switch (check.probe()) {
            case TCP -> tcp.connect(target.port(), target.host()).map(NetSocket::close).map(v -> (String) null);
            case HTTP -> httpProbe(client, target, HttpMethod.GET, check.path() == null ? target.uriFor("", null) : check.path(), null, check.timeout(),
                    route, upstreamToken, status -> status >= 200 && status < 400);
            case MCP_PING -> httpProbe(client, target, HttpMethod.POST, target.uriFor("", null), PING, check.timeout(), route, upstreamToken,
                    status -> status < 500);
        };
        probing.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                verdict.tryComplete(ar.result());
            } else {
                verdict.tryComplete(ar.cause().toString());
            }
        });
        return verdict.future();
    }

    private Future<String> httpProbe(HttpClientAgent client, UpstreamTarget target, HttpMethod method, String uri, Buffer body,
                                     java.time.Duration timeout, Route route, String upstreamToken, java.util.function.IntPredicate good) {
        RequestOptions options = new RequestOptions().setMethod(method).setHost(target.host()).setPort(target.port()).setSsl(target.tls())
                .setURI(uri).putHeader(HttpHeaders.USER_AGENT, "tollgate-health-check")
                // Bounded like the verdict: a probe that outlives its timeout must not pile up connections.
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        // The upstream's own credential, as on every call (an upstream authenticating its callers would answer 401).
        UpstreamCredential.apply(route.config().oauth(), upstreamToken, options::putHeader);
        if (body != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream");
        }
        return client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.end().map(v -> response.statusCode()))
                .map(status -> good.test(status) ? null : "answered " + status);
    }

    @Override
    public Future<?> stop() {
        watched.values().forEach(this::cancel);
        watched.clear();
        return tcp.close();
    }
}
