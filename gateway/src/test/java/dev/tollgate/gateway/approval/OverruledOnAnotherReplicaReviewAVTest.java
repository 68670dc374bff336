package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.policy.Identity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review AV (low): the supersession of an ask-client approval noted on the replica the client's retry reached is not
 * listed by the replica that held it. {@code Approvals.overruled} (for a 2026 retry, {@code ApprovalStage.answeredInClient}
 * then {@code concluded}: a fresh {@code PendingApproval.ended} on the retry's replica) notes it on that replica's own
 * history copy, if it has one, and in Redis; but the holder's {@code GET /approvals/<id>} ({@code Approvals.lookup})
 * answers from its local history copy first, and {@code GET /approvals} lists only that copy, which never gets the note:
 * the holder lists the approval "approved" with no {@code superseded}, for a call that was never forwarded (README: "so
 * does the approval's listing ... on every replica with store: redis").
 *
 * <p>Here the two replicas are two {@link Approvals} over one Redis, as the gateway builds them; the retry's replica
 * calls exactly what {@code ApprovalStage} calls when the recheck supersedes the approved retry.
 *
 * <p>Fix: have {@code lookup} (and the recent listing) merge the Redis {@code superseded} field into a local copy, or
 * publish the note to the holder (as decisions are) so its history copy gets it.
 */
class OverruledOnAnotherReplicaReviewAVTest {

    private RedisServer redis;
    private Vertx vertx;
    private Approvals holder;
    private Approvals retried;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        String prefix = "overruled-av-" + System.nanoTime();
        holder = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1",
                new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4)), new SimpleMeterRegistry());
        retried = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1",
                new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4)), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        holder.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        retried.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void theHolderListsTheSupersessionNotedWhereTheRetryWent() throws Exception {
        String asker = Approvals.asker("axid:acme/agent", "session-1");
        ApprovalTerms terms = new ApprovalTerms(Duration.ofSeconds(30), Action.DENY, List.of(), true);
        PendingApproval held = holder.hold(request(), terms, asker);
        get(held.whenShared());

        // The 2026 retry reaches the other replica: the user's yes is taken there through Redis, the holder learns it.
        Approvals.Decided taken = get(retried.answerAskedElsewhere(held.id(), asker, true, "client:axid:acme/agent", "approved by the user in the client"));
        assertThat(taken).isInstanceOf(Approvals.Done.class);
        ApprovalOutcome outcome = ((Approvals.Done) taken).outcome();
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.find(held.id()) != null && holder.find(held.id()).ended() != null);

        // The retry's replica: the recheck superseded the approved call; ApprovalStage notes it so.
        PendingApproval onRetry = PendingApproval.ended(held.id(), request(), terms, held.createdAt(), outcome);
        retried.overruled(onRetry, new ApprovalOverruled("upstream_changed", "route 'tools' was given another upstream by a reload", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> get(retried.lookup(held.id())).has("superseded")); // control: in Redis

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ObjectNode onHolder = get(holder.lookup(held.id()));
            assertThat(onHolder.path("state").asText()).isEqualTo("approved");
            assertThat(onHolder.has("superseded"))
                    .as("the holder's GET /approvals/<id> reads its own history copy: approved, no superseded, for a call never forwarded: "
                            + onHolder)
                    .isTrue();
            JsonNode recent = get(holder.list()).path("recent").get(0);
            assertThat(recent.path("superseded").path("cause").asText()).as("the holder's GET /approvals: " + recent).isEqualTo("upstream_changed");
        });
    }

    private static ApprovalRequest request() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "prod-eu");
        return new ApprovalRequest("tools", "tools/call", "deploy", arguments, false, Identity.ANONYMOUS, "p", "deploys-need-a-yes", null);
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
