package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.policy.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A person's decision carries a deadline Redis checks on its own clock (a decision Redis runs after the gateway stopped
 * waiting must not take effect behind its 503). The gateway's clock may disagree with Redis's by more than
 * {@code redis.timeout}: the deadline is put on Redis's clock with the offset measured by TIME, or a replica whose clock
 * lags Redis's by 5 s had every decision refused as late, and one ahead let late ones through.
 */
class ApprovalDecisionClockSkewTest {

    private RedisServer redis;
    private Vertx vertx;
    private RedisApprovals holder;
    private RedisApprovals skewed;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        holder.close();
        skewed.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @ParameterizedTest(name = "the deciding replica's clock off by {0} ms")
    @ValueSource(longs = {-5000, 5000})
    void aDecisionFromAReplicaWhoseClockDisagreesWithRedisIsRecorded(long skewMillis) throws Exception {
        String prefix = "skew-" + System.nanoTime();
        holder = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(5), 4));
        skewed = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofMillis(300), 4),
                () -> System.currentTimeMillis() + skewMillis);
        await().atMost(Duration.ofSeconds(5)).until(() -> Math.abs(skewed.redisAheadMillis() + skewMillis) < 250);
        PendingApproval approval = new PendingApproval("apr_skew" + System.nanoTime(), new ApprovalRequest("tools", "tools/call", "deploy",
                JsonNodeFactory.instance.objectNode(), false, Identity.ANONYMOUS, "p", "r", null),
                new ApprovalTerms(Duration.ofSeconds(30), Action.DENY, List.of(), false), Instant.now(), null, null);
        get(holder.held(approval));

        Approvals.Decided decided = get(skewed.decideRemote(approval.id(),
                new ApprovalOutcome(ApprovalOutcome.Verdict.APPROVED, "bob", null, Instant.now()), null));

        assertThat(decided).isInstanceOf(Approvals.Done.class);
        assertThat(get(holder.read(approval.id())).path("state").asText()).isEqualTo("approved");
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
