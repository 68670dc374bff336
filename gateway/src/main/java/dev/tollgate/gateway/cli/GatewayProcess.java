package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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

    /** Thrown when the gateway cannot start, with the message for the operator; nothing is left running. */
    static final class StartFailed extends Exception {
        StartFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param file the configuration file, named in the message when an address is taken
     * @throws StartFailed when an address is in use (the message names it and the setting to change)
     */
    static Gateway start(Vertx vertx, GatewaySnapshot snapshot, int eventLoops, Runnable beforeClose, String file) throws Exception {
        CompletableFuture<Gateway> started = Gateway.start(vertx, snapshot, eventLoops).toCompletionStage().toCompletableFuture();
        Gateway gateway;
        try {
            gateway = started.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!BindFailure.isBindFailure(e)) {
                throw e;
            }
            // Release what did bind before probing which address is taken.
            vertx.close().toCompletionStage().toCompletableFuture().get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new StartFailed(BindFailure.describe(snapshot.config(), file, e), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long began = System.nanoTime();
            System.out.println("tollgate: stopping: refusing new connections, finishing calls in flight (at most "
                    + SHUTDOWN_TIMEOUT_SECONDS + " s)");
            try {
                beforeClose.run();
                gateway.close().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture()
                        .get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                System.out.printf("tollgate: stopped after %d ms%n", (System.nanoTime() - began) / 1_000_000);
            } catch (Exception e) {
                System.err.println("tollgate: unclean shutdown: " + e);
            }
        }, "tollgate-shutdown"));
        return gateway;
    }
}
