package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.budget.SpendKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeferredCostsTest {

    private final DeferredCosts deferred = new DeferredCosts(Duration.ofHours(1));
    private final CallCharge charge = new CallCharge(new SpendKey("acme", "tree"), new TreeAccount(), "r", "synthesize", 300_000, true, null);

    @Test
    void aTasksCostIsTakenOnceAndOnlyByItsOwnTask() {
        deferred.taskCreated("origin a", "t1", new DeferredCosts.Deferred(charge, 300_000));
        assertThat(deferred.awaitsTaskResult("origin b", "t1")).as("another server's task of the same id").isFalse();
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
    void aStreamCallIsTakenOnceAndOnlyByItsCallerAndSession() {
        deferred.streamLeftUnanswered("alice", "s1", "7", new DeferredCosts.Deferred(charge, 300_000));
        assertThat(deferred.awaitingOnStream("bob", "s1")).isEmpty();
        assertThat(deferred.awaitingOnStream("alice", "s2")).isEmpty();
        assertThat(deferred.awaitingOnStream("alice", "s1")).containsKey("7");
        assertThat(deferred.takeStreamCall("alice", "s1", "\"7\"")).as("the string id \"7\" is another request").isNull();
        assertThat(deferred.takeStreamCall("alice", "s1", "7")).isNotNull();
        assertThat(deferred.takeStreamCall("alice", "s1", "7")).as("a second resume charges nothing").isNull();
    }

    @Test
    void aSessionlessServerIsOneSessionPerCaller() {
        deferred.streamLeftUnanswered("alice", null, "1", new DeferredCosts.Deferred(charge, 300_000));
        assertThat(deferred.awaitingOnStream("alice", null)).containsKey("1");
        assertThat(deferred.awaitingOnStream(null, null)).isEmpty();
    }
}
