package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.policy.budget.SpendKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BG finding 2 (fix Z): a task's deferred cost and an early result are filed under every key of the task's scope,
 * found under any key the scope keeps after a reload renames it, and taken once.
 */
class DeferredCostsScopeKeysTest {

    private static final List<String> A_AND_B = List.of("origin a", "origin b");
    private static final List<String> B_AND_A = List.of("origin b", "origin a");
    private static final List<String> B_ONLY = List.of("origin b");
    private static final List<String> A_ONLY = List.of("origin a");

    private final DeferredCosts deferred = new DeferredCosts(Duration.ofHours(1));
    private final CallCharge charge = new CallCharge(new SpendKey("acme", "tree"), new TreeAccount(), "r", "synthesize", 300_000, true, null);

    @Test
    void aCostFiledUnderEveryKeyIsFoundUnderAnyAndTakenOnce() {
        assertThat(deferred.taskCreated(A_AND_B, "t1", new DeferredCosts.Deferred(charge, 300_000))).isNull();

        assertThat(deferred.takeTask(B_AND_A, "t1")).as("reordered: renamed to origin b").isNotNull();
        assertThat(deferred.takeTask(A_ONLY, "t1")).as("taken once, whichever key").isNull();
        assertThat(deferred.takeTask(B_ONLY, "t1")).isNull();
    }

    @Test
    void aCostIsFoundUnderTheKeyThatStays() {
        deferred.taskCreated(A_AND_B, "t1", new DeferredCosts.Deferred(charge, 300_000));
        assertThat(deferred.takeTask(List.of("origin c"), "t1")).as("another server").isNull();
        assertThat(deferred.takeTask(List.of("origin b", "origin c"), "t1")).as("a removed, c added").isNotNull();
        assertThat(deferred.takeTask(A_ONLY, "t1")).as("the copy under a went with it").isNull();
    }

    @Test
    void theFirstCostUnderAnyKeyWins() {
        deferred.taskCreated(B_ONLY, "t1", new DeferredCosts.Deferred(charge, 300_000));
        deferred.taskCreated(A_AND_B, "t1", new DeferredCosts.Deferred(charge, 0));
        assertThat(deferred.takeTask(A_AND_B, "t1").paidMicros()).isEqualTo(300_000);
        assertThat(deferred.takeTask(A_ONLY, "t1")).isNull();
    }

    @Test
    void anEarlyResultIsFoundUnderAnyKeyAndTakenOnce() {
        deferred.taskResultFirst(B_AND_A, "t1", new PricingTable.ResultCost(true, 750_000));
        assertThat(deferred.taskCreated(A_ONLY, "t1", new DeferredCosts.Deferred(charge, 300_000)).actual(300_000)).isEqualTo(750_000);
        assertThat(deferred.takeTask(A_ONLY, "t1")).as("settled by its creation: nothing kept").isNull();
        assertThat(deferred.taskCreated(B_ONLY, "t1", new DeferredCosts.Deferred(charge, 300_000))).as("the early result was taken").isNull();
        assertThat(deferred.takeTask(B_ONLY, "t1")).isNotNull();
    }
}
