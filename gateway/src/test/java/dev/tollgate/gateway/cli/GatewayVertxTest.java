package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

/** The process's transport: epoll is packaged and loads on Linux x86-64 (the image's platform); nio when asked for. */
class GatewayVertxTest {

    @Test
    void nativeTransportLoadsOnLinux() throws Exception {
        Vertx vertx = GatewayVertx.create(GatewayVertx.Transport.NATIVE);
        try {
            assertThat(vertx.isNativeTransportEnabled())
                    .as("netty-transport-native-epoll (linux-x86_64) is on the class path: %s", vertx.unavailableNativeTransportCause())
                    .isTrue();
            assertThat(GatewayVertx.describe(vertx)).isEqualTo("native (epoll)");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void nioWhenAskedFor() throws Exception {
        Vertx vertx = GatewayVertx.create(GatewayVertx.Transport.NIO);
        try {
            assertThat(vertx.isNativeTransportEnabled()).isFalse();
            assertThat(GatewayVertx.describe(vertx)).isEqualTo("nio");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
