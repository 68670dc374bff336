package dev.tollgate.gateway;

import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.pipeline.ListenerRuntime;
import dev.tollgate.gateway.pipeline.McpPipeline;
import dev.tollgate.gateway.pipeline.Pipeline;
import dev.tollgate.gateway.pipeline.RequestDispatcher;
import dev.tollgate.gateway.upstream.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import dev.tollgate.gateway.http.ConnectionTimeouts;
import dev.tollgate.gateway.http.PeerSvidGuard;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One event loop's share of the gateway: its own listeners (sharing the ports with the other instances)
 * and its own upstream pools, so a request never hops between event loops.
 */
final class GatewayVerticle extends VerticleBase {

    private final Supplier<GatewaySnapshot> snapshots;
    private final List<ListenerConfig> listeners;
    private final GatewayServices services;
    private final List<HttpServer> servers = new ArrayList<>();
    private UpstreamClients clients;
    private long retireTimer = -1;

    GatewayVerticle(Supplier<GatewaySnapshot> snapshots, List<ListenerConfig> listeners, GatewayServices services) {
        this.snapshots = snapshots;
        this.listeners = listeners;
        this.services = services;
    }

    @Override
    public Future<?> start() {
        clients = new UpstreamClients(vertx, services.svids());
        // On this verticle's event loop, as every use of its pools.
        retireTimer = vertx.setPeriodic(UpstreamClients.RETIRE_EVERY.toMillis(), id -> clients.retireAllBut(servingRouteConfigs()));
        ErrorResponder errors = new ErrorResponder(services.metrics());
        Pipeline pipeline = McpPipeline.create(vertx, clients, errors, services);
        List<Future<HttpServer>> listening = new ArrayList<>();
        for (ListenerConfig listener : listeners) {
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(listener.host())
                    .setPort(listener.port())
                    .setTcpNoDelay(true)
                    .setCompressionSupported(false)
                    // MCP and A2A clients speak HTTP/1.1 in clear text; h2c detection would also hide slow
                    // connections from the header timeout (see ConnectionTimeouts).
                    .setHttp2ClearTextEnabled(false)
                    // Every request is answered on its connection's event loop, so writes go straight to the
                    // channel: no cross-thread write queue per connection (a 4 KiB array each, half of what
                    // Vert.x holds per idle SSE stream) and no queue hop per write.
                    .setStrictThreadMode(true);
            PeerSvidGuard peers = null;
            if (listener.tls() != null) {
                SpiffeTls.configure(options, services.svids().get(listener.name()), listener.tls());
                // The handshake checks the client SVID once; a connection and a resumed session outlive it (review BH).
                peers = new PeerSvidGuard(services.svids().get(listener.name()), errors);
            }
            ConnectionTimeouts timeouts = new ConnectionTimeouts(vertx, () -> snapshots.get().config().limits(), peers);
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(timeouts::connected)
                    .requestHandler(timeouts.tracking(new RequestDispatcher(snapshots, ListenerRuntime.of(listener), pipeline, errors)));
            servers.add(server);
            listening.add(server.listen());
        }
        return Future.all(listening);
    }

    private Set<RouteConfig> servingRouteConfigs() {
        Set<RouteConfig> serving = new HashSet<>();
        snapshots.get().routes().routes().forEach(route -> serving.add(route.config()));
        return serving;
    }

    /** Actual bound ports, in listener order (resolves port 0). */
    List<Integer> boundPorts() {
        return servers.stream().map(HttpServer::actualPort).toList();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(retireTimer);
        List<Future<Void>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        closing.add(clients.close());
        return Future.all(closing);
    }
}
