package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review AS (suspicion 4 of review AR, "a retry whose release and read-back both time out"): Redis runs the release
 * (RELEASE sets the "let through" mark well within its deadline) but its reply, and the read back's, come after
 * redis.timeout (a slow network on the way back). Approvals.releaseOnce fails with OutcomeUnknown, the retry is answered
 * 503 "whether the call was let through is unknown (Redis did not answer in time); send it again", and nothing is
 * forwarded; yet the mark stays in Redis, so the retry sent again, Redis answering promptly now, is refused 409 "the
 * approval has already let its call through": the approved call, never forwarded, is lost, against what the 503 said.
 * Here replies from Redis are delayed by a proxy in front of a real redis-server; commands reach it at once.
 */
class UnknownReleaseLosesCallReviewASTest {

    private RedisServer redis;
    private Vertx vertx;
    private NetServer proxy;
    private final AtomicLong replyDelayMillis = new AtomicLong();
    private final AtomicInteger repliesInFlight = new AtomicInteger();
    private RedisApprovals store;
    private Approvals approvals;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        proxy = vertx.createNetServer().connectHandler(this::relay);
        proxy.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        store = new RedisApprovals(vertx, new RedisConfig("redis://127.0.0.1:" + proxy.actualPort(), "unknown-release-" + System.nanoTime(),
                Duration.ofMillis(300), 4));
        approvals = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", store, new SimpleMeterRegistry());
    }

    /** Client to Redis at once; Redis to client after {@link #replyDelayMillis}, in order. */
    private void relay(NetSocket client) {
        client.pause();
        vertx.createNetClient().connect(redis.port(), "127.0.0.1").onSuccess(server -> {
            client.handler(server::write);
            server.handler(reply -> {
                long delay = replyDelayMillis.get();
                if (delay == 0) {
                    client.write(reply);
                } else {
                    repliesInFlight.incrementAndGet();
                    vertx.setTimer(delay, t -> client.write(reply).onComplete(v -> repliesInFlight.decrementAndGet()));
                }
            });
            client.closeHandler(v -> server.close());
            server.closeHandler(v -> client.close());
            client.resume();
        }).onFailure(e -> client.close());
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void anApprovedRetryAnswered503UnknownGoesThroughWhenSentAgain() throws Exception {
        String id = "apr_unknown" + System.nanoTime();
        Instant until = Instant.now().plus(Duration.ofMinutes(5));
        // The pool's connections are open and idle before the replies slow down.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(store.pending()) != null);

        replyDelayMillis.set(1000); // past the release's 300 ms timeout and its read back's (sent at 300 ms, waiting until 600 ms)
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(approvals.releaseOnce(id, until)));
        assertThat(failed.getCause()).as("control: the retry is answered 503 'unknown, send it again'")
                .isInstanceOf(ApprovalNotConfirmed.OutcomeUnknown.class);

        replyDelayMillis.set(0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> repliesInFlight.get() == 0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(store.pending()) != null);

        assertThat(get(approvals.releaseOnce(id, until)))
                .as("the retry answered 503 was not forwarded; sent again as told, Redis answering, it must go on (it was told 409"
                        + " 'already let its call through': the approved call is lost)")
                .isTrue();
        assertThat(get(approvals.releaseOnce(id, until))).as("one approval, one call").isFalse();
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
