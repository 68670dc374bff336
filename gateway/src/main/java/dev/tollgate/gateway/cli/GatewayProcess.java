package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts a gateway in this process for the CLI (the main thread, not an event loop, so waiting here is
 * fine) and closes it cleanly on SIGTERM / Ctrl-C.
 */
final class GatewayProcess {

    private static final long STARTUP_TIMEOUT_SECONDS = 30;
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 10;

    private GatewayProcess() {
    }

    static Gateway start(Vertx vertx, GatewaySnapshot snapshot, int eventLoops, Runnable beforeClose) throws Exception {
        CompletableFuture<Gateway> started = Gateway.start(vertx, snapshot, eventLoops).toCompletionStage().toCompletableFuture();
        Gateway gateway = started.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                beforeClose.run();
                gateway.close().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture()
                        .get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("tollgate: unclean shutdown: " + e);
            }
        }, "tollgate-shutdown"));
        return gateway;
    }
}
