package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the Redis store, the first ending Redis records wins on every replica: the holder follows a decision recorded
 * elsewhere whatever its own inbox has delivered, a decision after the deadline is refused, an ending is never
 * overwritten nor revived by a late publication, only who was asked can answer a client question, and with Redis down
 * nothing a person says is taken while the gateway's own endings still end the call (a timeout denies).
 */
class SharedApprovalEndingsTest {

    private static RedisServer redis;
    private Vertx vertx;
    private RedisApprovals here;
    private RedisApprovals elsewhere;
    private Approvals holder;

    @BeforeAll
    static void redis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        String prefix = "endings-" + System.nanoTime();
        here = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4));
        elsewhere = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(2), 4));
        // The holder's inbox is never read here: what it does must follow from Redis alone, not from the 200 ms poll.
        holder = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", new DeafInbox(here), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        holder.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        elsewhere.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDecisionRecordedOnAnotherReplicaWinsOverALaterOneOnTheHolder() throws Exception {
        PendingApproval approval = holder.hold(request(), terms(Duration.ofSeconds(30), Action.DENY));
        get(approval.whenShared());
        assertThat(get(elsewhere.decideRemote(approval.id(), decision(ApprovalOutcome.Verdict.DENIED, "bob"), null)))
                .isInstanceOf(Approvals.Done.class);
        Approvals.Decided alice = get(holder.decide(approval.id(), true, "alice", null));
        assertThat(alice).isInstanceOf(Approvals.AlreadyEnded.class);
        assertThat(((Approvals.AlreadyEnded) alice).outcome().by()).isEqualTo("bob");
        ApprovalOutcome applied = get(approval.outcome());
        assertThat(applied.verdict()).isEqualTo(ApprovalOutcome.Verdict.DENIED);
        assertThat(applied.by()).isEqualTo("bob");
    }

    @Test
    void aTimeoutThatWouldAllowFollowsADenialRecordedBeforeIt() throws Exception {
        PendingApproval approval = holder.hold(request(), terms(Duration.ofMillis(400), Action.ALLOW));
        get(approval.whenShared());
        get(elsewhere.decideRemote(approval.id(), decision(ApprovalOutcome.Verdict.DENIED, "erin"), null));
        ApprovalOutcome applied = get(approval.outcome());
        assertThat(applied.verdict()).isEqualTo(ApprovalOutcome.Verdict.DENIED);
        assertThat(applied.by()).isEqualTo("erin");
    }

    @Test
    void aPersonsDecisionAfterTheDeadlineIsRefused() throws Exception {
        PendingApproval late = new PendingApproval("apr_late" + System.nanoTime(), request(), terms(Duration.ofSeconds(1), Action.ALLOW),
                Instant.now().minusSeconds(5), null, null);
        get(here.held(late));
        assertThat(get(elsewhere.decideRemote(late.id(), decision(ApprovalOutcome.Verdict.DENIED, "erin"), null)))
                .isInstanceOf(Approvals.Expired.class);
        // The holder's own timeout has no deadline: it is what ends it.
        assertThat(get(here.end(late, decision(ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED, "tollgate"), false))).isInstanceOf(Approvals.Done.class);
    }

    @Test
    void anEndingIsNeverOverwrittenNorRevivedByALatePublication() throws Exception {
        PendingApproval approval = new PendingApproval("apr_revive" + System.nanoTime(), request(), terms(Duration.ofSeconds(30), Action.DENY),
                Instant.now(), null, null);
        // The holder ended it before its publication reached Redis (a publication that timed out, then ran).
        assertThat(get(here.end(approval, decision(ApprovalOutcome.Verdict.CANCELLED, "tollgate"), false))).isInstanceOf(Approvals.Done.class);
        get(here.held(approval));
        Approvals.Decided late = get(elsewhere.decideRemote(approval.id(), decision(ApprovalOutcome.Verdict.APPROVED, "alice"), null));
        assertThat(late).isInstanceOf(Approvals.AlreadyEnded.class);
        assertThat(((Approvals.AlreadyEnded) late).outcome().verdict()).isEqualTo(ApprovalOutcome.Verdict.CANCELLED);
        Approvals.Decided again = get(here.end(approval, decision(ApprovalOutcome.Verdict.GATEWAY_STOPPED, "tollgate"), false));
        assertThat(((Approvals.AlreadyEnded) again).outcome().verdict()).isEqualTo(ApprovalOutcome.Verdict.CANCELLED);
        assertThat(get(here.pending())).isEmpty();
    }

    @Test
    void anApprovedCallRefusedByAReloadIsListedSoOnEveryReplica() throws Exception {
        PendingApproval approval = holder.hold(request(), terms(Duration.ofSeconds(30), Action.DENY));
        get(approval.whenShared());
        assertThat(get(holder.decide(approval.id(), true, "alice", null))).isInstanceOf(Approvals.Done.class);
        holder.overruled(approval, new ApprovalOverruled("policy_denies", "the policy serving now denies the call (rule r)", Instant.now()));
        // Another replica's GET /approvals/<id> reads Redis: approved by alice, and not forwarded all the same.
        ObjectNode seen = await().atMost(Duration.ofSeconds(5)).until(() -> get(elsewhere.read(approval.id())), r -> r.has("superseded"));
        assertThat(seen.path("state").asText()).isEqualTo("approved");
        assertThat(seen.path("superseded").path("cause").asText()).isEqualTo("policy_denies");
        assertThat(holder.find(approval.id()).toJson().path("superseded").path("detail").asText()).contains("rule r");
        // A note for an approval Redis no longer has makes no record of its own.
        String gone = "apr_gone" + System.nanoTime();
        get(here.overruled(gone, new ApprovalOverruled("route_removed", "gone", Instant.now())));
        assertThat(get(elsewhere.read(gone))).isNull();
    }

    @Test
    void onlyWhoWasAskedCanAnswerAClientQuestionThroughRedis() throws Exception {
        String asked = Approvals.asker("axid:acme/agent", "session-1");
        PendingApproval approval = holder.hold(request(), terms(Duration.ofSeconds(30), Action.ALLOW), asked);
        get(approval.whenShared());
        for (String other : List.of(Approvals.asker("axid:acme/agent", "session-2"), Approvals.asker("axid:evil/agent", "session-1"),
                Approvals.asker(null, ""))) {
            assertThat(get(holder.answerAskedElsewhere(approval.id(), other, true, "client:x", null))).isInstanceOf(Approvals.NotFound.class);
        }
        PendingApproval nobodyAsked = holder.hold(request(), terms(Duration.ofSeconds(30), Action.ALLOW));
        get(nobodyAsked.whenShared());
        assertThat(get(holder.answerAskedElsewhere(nobodyAsked.id(), Approvals.asker(null, ""), true, "client:x", null)))
                .isInstanceOf(Approvals.NotFound.class);
        assertThat(get(holder.answerAskedElsewhere(approval.id(), asked, false, "client:axid:acme/agent", "declined")))
                .isInstanceOf(Approvals.Done.class);
        assertThat(get(holder.decide(approval.id(), true, "alice", null))).isInstanceOf(Approvals.AlreadyEnded.class);
        assertThat(get(approval.outcome()).verdict()).isEqualTo(ApprovalOutcome.Verdict.DENIED);
    }

    @Test
    void withRedisDownNothingAPersonSaysIsTakenAndATimeoutDeniesEvenWhenItWouldAllow() throws Exception {
        PendingApproval approval = holder.hold(request(), terms(Duration.ofMillis(1500), Action.ALLOW));
        get(approval.whenShared());
        redis.stop();
        try {
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> get(holder.decide(approval.id(), true, "alice", null)));
            assertThat(refused).isNotNull();
            assertThat(approval.ended()).isNull();
            ApprovalOutcome applied = get(approval.outcome());
            assertThat(applied.verdict()).isEqualTo(ApprovalOutcome.Verdict.TIMED_OUT_DENIED);
            assertThat(applied.reason()).contains("Redis could not be reached");
        } finally {
            redis.restart();
        }
    }

    private static ApprovalRequest request() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "prod-eu");
        return new ApprovalRequest("tools", "tools/call", "deploy", arguments, false, Identity.ANONYMOUS, "p", "deploys-need-a-person", null);
    }

    private static ApprovalTerms terms(Duration timeout, Action onTimeout) {
        return new ApprovalTerms(timeout, onTimeout, List.of(), false);
    }

    private static ApprovalOutcome decision(ApprovalOutcome.Verdict verdict, String by) {
        return new ApprovalOutcome(verdict, by, null, Instant.now());
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The Redis store of a holder whose inbox never delivers: only the shared script can tell it what happened. */
    private record DeafInbox(SharedApprovals store) implements SharedApprovals {
        @Override
        public Future<Void> held(PendingApproval approval) {
            return store.held(approval);
        }

        @Override
        public Future<Approvals.Decided> end(PendingApproval approval, ApprovalOutcome outcome, boolean person) {
            return store.end(approval, outcome, person);
        }

        @Override
        public Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome, String asker) {
            return store.decideRemote(id, outcome, asker);
        }

        @Override
        public Future<Void> overruled(String id, ApprovalOverruled note) {
            return store.overruled(id, note);
        }

        @Override
        public void unrelease(String id) {
            store.unrelease(id);
        }

        @Override
        public void releaseKept(String id) {
            store.releaseKept(id);
        }

        @Override
        public Future<Void> letThrough(String id) {
            return store.letThrough(id);
        }

        @Override
        public Future<java.util.Map<String, ApprovalOverruled>> overruledAmong(List<String> ids) {
            return store.overruledAmong(ids);
        }

        @Override
        public Future<ObjectNode> read(String id) {
            return store.read(id);
        }

        @Override
        public Future<Boolean> releaseOnce(String id, long keepMillis) {
            return store.releaseOnce(id, keepMillis);
        }

        @Override
        public Future<List<ObjectNode>> pending() {
            return store.pending();
        }

        @Override
        public void listen(BiConsumer<String, ApprovalOutcome> onDecision) {
        }

        @Override
        public Future<Void> close() {
            return store.close();
        }
    }
}
