package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.policy.budget.SpendKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeferredCostsTest {

    private final DeferredCosts deferred = new DeferredCosts(Duration.ofHours(1));
    private final CallCharge charge = new CallCharge(new SpendKey("acme", "tree"), new TreeAccount(), "r", "synthesize", 300_000, true, null);

    private DeferredCosts.StreamAnswer paid(long micros) {
        return DeferredCosts.StreamAnswer.ofCharge(new DeferredCosts.Deferred(charge, micros));
    }

    @Test
    void aTasksCostIsTakenOnceAndOnlyByItsOwnTask() {
        assertThat(deferred.taskCreated("origin a", "t1", new DeferredCosts.Deferred(charge, 300_000))).isNull();
        assertThat(deferred.takeTask("origin b", "t1")).as("another server's task of the same id").isNull();
        assertThat(deferred.takeTask("origin a", "t2")).isNull();
        assertThat(deferred.takeTask("origin a", "t1")).isNotNull();
        assertThat(deferred.takeTask("origin a", "t1")).as("a second tasks/result charges nothing").isNull();
    }

    @Test
    void aTaskLearntTwiceKeepsItsFirstEntry() {
        deferred.taskCreated("s", "t1", new DeferredCosts.Deferred(charge, 300_000));
        deferred.taskCreated("s", "t1", new DeferredCosts.Deferred(charge, 0));
        assertThat(deferred.takeTask("s", "t1").paidMicros()).isEqualTo(300_000);
    }

    @Test
    void aResultRelayedBeforeItsTaskWasSeenCreatedIsHandedToTheCreatingCall() {
        deferred.taskResultFirst("s", "t1", new PricingTable.ResultCost(true, 750_000));
        assertThat(deferred.taskCreated("s", "t1", new DeferredCosts.Deferred(charge, 300_000)).actual(300_000)).isEqualTo(750_000);
        assertThat(deferred.takeTask("s", "t1")).as("settled by its creation: nothing kept").isNull();
    }

    @Test
    void aStreamCallIsTakenOnceAndOnlyByItsCallerAndSession() {
        deferred.streamLeftUnanswered("alice", "s1", "7", paid(300_000));
        assertThat(deferred.awaitsOnStream("bob", "s1", "7")).isFalse();
        assertThat(deferred.awaitsOnStream("alice", "s2", "7")).isFalse();
        assertThat(deferred.awaitsOnStream("alice", "s1", "7")).isTrue();
        assertThat(deferred.takeStreamAnswer("alice", "s1", "\"7\"")).as("the string id \"7\" is another request").isNull();
        assertThat(deferred.takeStreamAnswer("alice", "s1", "7")).isNotNull();
        assertThat(deferred.takeStreamAnswer("alice", "s1", "7")).as("a second resume charges nothing").isNull();
        assertThat(deferred.awaitsOnStream("alice", "s1", "7")).isFalse();
    }

    @Test
    void callsReusingARequestIdAreTakenOneByOneOldestFirst() {
        deferred.streamLeftUnanswered("alice", "s1", "1", paid(100_000));
        deferred.streamLeftUnanswered("alice", "s1", "1", paid(200_000));
        assertThat(deferred.takeStreamAnswer("alice", "s1", "1").charge().paidMicros()).isEqualTo(100_000);
        assertThat(deferred.takeStreamAnswer("alice", "s1", "1").charge().paidMicros()).isEqualTo(200_000);
        assertThat(deferred.takeStreamAnswer("alice", "s1", "1")).isNull();
    }

    @Test
    void aSessionlessServerIsOneSessionPerCaller() {
        deferred.streamLeftUnanswered("alice", null, "1", DeferredCosts.StreamAnswer.ofTaskResult("t1"));
        assertThat(deferred.awaitsOnStream("alice", null, "1")).isTrue();
        assertThat(deferred.awaitsOnStream(null, null, "1")).isFalse();
        assertThat(deferred.takeStreamAnswer("alice", "", "1").taskId()).isEqualTo("t1");
    }

    /** Review AG: a long request id is held for the resume window as a digest, and still matches only itself. */
    @Test
    void aLongRequestIdIsHeldAsADigestAndMatchesOnlyItself() {
        String longId = "\"" + "x".repeat(DeferredCosts.MAX_KEPT_ID_CHARS * 1000) + "\"";
        deferred.streamLeftUnanswered("alice", "s1", longId, paid(100_000));

        assertThat(DeferredCosts.heldAs(longId)).startsWith("sha256:").hasSize("sha256:".length() + 64);
        assertThat(DeferredCosts.heldAs("7")).as("a short id is held as it is").isEqualTo("7");
        assertThat(deferred.awaitsOnStream("alice", "s1", longId.substring(0, longId.length() - 2) + "\"")).as("another id").isFalse();
        assertThat(deferred.takeStreamAnswer("alice", "s1", DeferredCosts.heldAs(longId))).as("a short id spelling the digest").isNull();
        assertThat(deferred.takeStreamAnswer("alice", "s1", new String(longId)).charge().paidMicros()).isEqualTo(100_000);
    }
}
