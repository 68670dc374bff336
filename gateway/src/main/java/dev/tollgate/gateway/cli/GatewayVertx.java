package dev.tollgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance a gateway process runs on. On Linux it prefers Netty's epoll transport: on a proxy's
 * path most of the time per call is system calls and wakeups, and epoll makes fewer of both than NIO
 * (edge-triggered, no selected-key sets). Where the native library does not load, Vert.x falls back to NIO.
 */
final class GatewayVertx {

    /** How the event loops talk to the kernel. */
    enum Transport { NATIVE, NIO }

    private GatewayVertx() {
    }

    static Vertx create(Transport transport) {
        return Vertx.builder().with(new VertxOptions().setPreferNativeTransport(transport == Transport.NATIVE)).build();
    }

    /** For the startup lines: what the process actually got, which may be NIO although native was asked for. */
    static String describe(Vertx vertx) {
        return vertx.isNativeTransportEnabled() ? "native (epoll)" : "nio";
    }
}
