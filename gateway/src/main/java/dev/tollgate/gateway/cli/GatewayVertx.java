package dev.tollgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance a gateway process runs on: NIO by default, Netty's epoll transport on request. Epoll was
 * expected to win (edge-triggered, no selected-key sets), but measured on the load harness (2 cores, 1 KiB MCP
 * answers, A/B in the same run, twice) it forwarded 6-19 % fewer calls per second than NIO, with the same four
 * socket system calls per call; it stays an option to measure on other machines. Where the native library does
 * not load, Vert.x falls back to NIO.
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
