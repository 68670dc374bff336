package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review AW: a release whose reply is lost and whose give-back cannot reach Redis at once (a short partition between the
 * gateway and Redis) is answered 503 "the call was not let through ... send it again in a few seconds", and its mark is
 * given back in the background (RedisApprovals.giveBackLater, a second later). A retry sent again before that give-back
 * ran finds the mark still there: Redis says 'taken', and Approvals.releaseOnce keeps its local "let through here" entry
 * although nothing was let through. Once the give-back removed the mark from Redis, every later retry on this replica is
 * still refused 409 "already let its call through" (AskClientRetryStage.answered reads releasedHere first): the approved
 * call, never forwarded, is lost on this replica for the state's whole life.
 *
 * <p>Real redis-server behind a proxy that, during the partition, passes the RELEASE script only (it runs and sets the
 * mark) and drops every other command and every reply; healing closes the proxied connections, as a reset network does.
 */
class GivenBackMarkStillRefusedReviewAWTest {

    private RedisServer redis;
    private Vertx vertx;
    private NetServer proxy;
    private final AtomicBoolean partitioned = new AtomicBoolean();
    private final List<NetSocket> clients = new CopyOnWriteArrayList<>();
    private RedisApprovals store;
    private Approvals approvals;
    private Redis direct;
    private String prefix;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        proxy = vertx.createNetServer().connectHandler(this::relay);
        proxy.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        prefix = "given-back-" + System.nanoTime();
        store = new RedisApprovals(vertx, new RedisConfig("redis://127.0.0.1:" + proxy.actualPort(), prefix, Duration.ofMillis(300), 4));
        approvals = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", store, new SimpleMeterRegistry());
        direct = Redis.createClient(vertx, redis.uri());
    }

    /** The RELEASE script (it alone sets the mark with NX): passed during the partition, and run by Redis at once. */
    private static boolean isRelease(Buffer chunk) {
        return chunk.toString(StandardCharsets.UTF_8).contains("'NX', 'PX'");
    }

    private void relay(NetSocket client) {
        client.pause();
        vertx.createNetClient().connect(redis.port(), "127.0.0.1").onSuccess(server -> {
            clients.add(client);
            client.handler(command -> {
                if (!partitioned.get() || isRelease(command)) {
                    server.write(command);
                }
            });
            server.handler(reply -> {
                if (!partitioned.get()) {
                    client.write(reply);
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
    void aRetryAnswered503GoesOnOnceItsMarkWasGivenBack() throws Exception {
        String id = "apr_givenback" + System.nanoTime();
        String marker = prefix + ":approval-released:" + id;
        Instant until = Instant.now().plus(Duration.ofMinutes(5));
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(store.pending()) != null);

        partitioned.set(true);
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(approvals.releaseOnce(id, until)));
        assertThat(failed.getCause()).as("control: the retry is answered 503, nothing forwarded")
                .isInstanceOf(ApprovalNotConfirmed.OutcomeUnknown.class);
        assertThat(exists(marker)).as("control: RELEASE ran, its mark waits for the background give-back").isTrue();

        // The partition heals: connections reset, Redis answers promptly again.
        partitioned.set(false);
        clients.forEach(NetSocket::close);
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(store.pending()) != null);

        // The client sends it again at once; whatever this attempt is told, it forwards nothing while the mark is there.
        if (exists(marker)) {
            try {
                get(approvals.releaseOnce(id, until));
            } catch (ExecutionException ignored) {
                // a 503 is fine: the call was not let through
            }
        }

        // The background give-back removes the mark from Redis.
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !exists(marker));

        boolean released = get(approvals.releaseOnce(id, until));
        assertThat(released)
                .as("nothing was ever let through and Redis holds no mark any more: the retry sent again must go on (it is refused"
                        + " 409 'already let its call through' by the local entry the 'taken' attempt left: the approved call is lost)")
                .isTrue();
        assertThat(get(approvals.releaseOnce(id, until))).as("one approval, one call").isFalse();
    }

    private boolean exists(String key) throws Exception {
        return get(direct.send(Request.cmd(Command.EXISTS).arg(key))).toInteger() == 1;
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
