package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An approved ask-client retry lets its call through once ({@link Approvals#releaseOnce}). When Redis does not answer
 * the release in time the retry is answered 503 "send it again", so that release must not take effect behind it (review
 * AP's suspicion: the marker, set late, made every later retry a 409 "already let through", and the approved call was
 * lost), and this replica must not remember it as let through either (it did, with the same 409).
 */
class UnconfirmedReleaseTest {

    private RedisServer redis;
    private Vertx vertx;
    private String prefix;
    private RedisApprovals store;
    private Approvals approvals;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        prefix = "release-" + System.nanoTime();
        // A 1 s timeout and a 1.5 s pause (not 300 ms and 450 ms): the release must be sent within the pause's first 0.5 s to
        // time out before Redis runs it, and the read back must be answered within 1 s of the timeout, which a loaded
        // machine does; with 150 ms to spare it might not.
        store = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(1), 4));
        approvals = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", store, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void aReleaseRedisDidNotConfirmInTimeNeverTakesEffectAndTheRetrySentAgainGoesThroughOnce() throws Exception {
        String id = "apr_release" + System.nanoTime();
        Instant until = Instant.now().plus(Duration.ofMinutes(5));
        // The connections are open and idle before the pause (the first one may take longer than the 1 s timeout).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(store.pending()) != null);
        Thread.sleep(300);

        // Paused past the release's 1 s timeout, not past its read back (sent then, waiting 1 s more).
        assertThat(command("CLIENT PAUSE 1500 ALL")).isEqualTo("+OK");
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(approvals.releaseOnce(id, until)));
        assertThat(failed.getCause()).isInstanceOf(ApprovalNotConfirmed.NotRecorded.class);
        Thread.sleep(300);

        assertThat(get(approvals.releaseOnce(id, until))).as("the approved retry sent again, Redis back").isTrue();
        assertThat(get(approvals.releaseOnce(id, until))).as("one approval, one call").isFalse();
    }

    @Test
    void aReplicaWhoseClockRunsAheadLeavesTheMarkForOneWhoseClockLags() throws Exception {
        String id = "apr_skew" + System.nanoTime();
        RedisApprovals ahead = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4));
        RedisApprovals lagging = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4));
        try {
            // The releasing replica's clock is ahead: the sealed state expires, as it reads it, in a millisecond. A replica
            // whose clock lags a minute takes the same state as valid for a minute more and must still find the mark.
            assertThat(get(ahead.releaseOnce(id, 1))).isTrue();
            Thread.sleep(50); // past the millisecond the ahead clock gave the state
            assertThat(get(lagging.releaseOnce(id, 60_000))).as("the retry sent to the lagging replica is a second release").isFalse();
        } finally {
            ahead.close();
            lagging.close();
        }
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Sends one inline command on its own connection and waits for its first reply line. */
    private String command(String line) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
