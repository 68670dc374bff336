package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.budget.SpendKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A question's hold parked on this gateway is taken over once, by its own tree's retry, and released once at expiry. */
class QuestionHoldsTest {

    private final List<CallCharge> released = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final QuestionHolds holds = new QuestionHolds(null, released::add);
    private final SpendKey key = new SpendKey("acme", "tree-1");
    private final TreeAccount account = new TreeAccount();

    @Test
    void aParkedHoldIsTakenOverOnceAndNeverReleasedAfter() throws Exception {
        CallCharge charge = new CallCharge(key, account, "upstream", "synthesize", 300_000, true, null);
        String ref = holds.park(charge, Instant.now().plusMillis(200));

        assertThat(holds.takeOver(ref, new SpendKey("acme", "tree-2"), account, "upstream", "synthesize").result())
                .as("another tree's caller does not take it").isNull();
        assertThat(holds.takeOver(ref, key, account, "upstream", "synthesize").result()).isSameAs(charge);
        assertThat(holds.takeOver(ref, key, account, "upstream", "synthesize").result()).as("a replay takes nothing").isNull();
        holds.release(ref, key, account);
        Thread.sleep(400); // past the state's expiry: a hold taken over is not released under its call
        assertThat(released).isEmpty();
    }

    @Test
    void aHoldNobodyTakesOverIsReleasedOnceWhenTheStateExpires() {
        CallCharge charge = new CallCharge(key, account, "upstream", "synthesize", 300_000, true, null);
        holds.park(charge, Instant.now().plusMillis(100));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> released.size() == 1);
        assertThat(released).containsExactly(charge);
        assertThat(holds.parkedHere()).isZero();
    }

    @Test
    void aChargeHoldingNothingIsNotParked() {
        assertThat(holds.park(new CallCharge(key, account, "upstream", "synthesize", 300_000, false, null), Instant.now().plusSeconds(60)))
                .isNull();
        assertThat(holds.parkedHere()).isZero();
    }
}
