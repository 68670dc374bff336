package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each tenant's share of the task table: full refuses its owner only, and room comes back as its own bindings end. */
class BindingSharesTest {

    @Test
    void aFullShareRefusesItsTenantOnlyAndRoomComesBackWhenOneEnds() {
        BindingShares shares = new BindingShares(2);
        assertThat(shares.take("axid:evil/bot")).isTrue();
        assertThat(shares.take("axid:evil/bot/user-1")).as("a sub-user counts in its tenant's share").isTrue();

        assertThat(shares.take("axid:evil/other-agent")).as("another agent of the tenant too").isFalse();
        assertThat(shares.take("axid:acme/bot")).as("another tenant's share is its own").isTrue();

        shares.giveBack("axid:evil/bot/user-1");
        assertThat(shares.take("axid:evil/bot")).isTrue();
        assertThat(shares.held("axid:evil/x")).isEqualTo(2);
    }

    @Test
    void callersWithoutATenantHaveAShareOfTheirOwn() {
        assertThat(BindingShares.shareOf("axid:acme/bot/u")).isEqualTo("axid:acme");
        assertThat(BindingShares.shareOf("axid:acme/bot|oauth:i/c/s")).isEqualTo("axid:acme");
        assertThat(BindingShares.shareOf("axid:-/bot")).isEqualTo("axid:-/bot");
        assertThat(BindingShares.shareOf("spiffe:spiffe://example.org/w")).isEqualTo("spiffe:spiffe://example.org/w");
        assertThat(BindingShares.shareOf("spiffe:spiffe://example.org/w|oauth:i/c/s")).as("the workload's").isEqualTo("spiffe:spiffe://example.org/w");
        assertThat(BindingShares.shareOf("oauth:i/c/s")).as("the OAuth client's: its subjects are its users").isEqualTo("oauth:i/c");
        assertThat(BindingShares.shareOf("oauth:i/c%2Fx/s%2Fy")).isEqualTo("oauth:i/c%2Fx");
        assertThat(BindingShares.shareOf("axid:acme%2Fops/bot")).as("an escaped '/' stays in the tenant").isEqualTo("axid:acme%2Fops");
    }

    @Test
    void aBindingAnotherReplicaMadeIsCountedPastTheShareAndItsCounterGoesAwayWhenEmpty() {
        BindingShares shares = new BindingShares(1);
        assertThat(shares.take("axid:acme/a")).isTrue();
        shares.force("axid:acme/b");
        assertThat(shares.held("axid:acme/a")).isEqualTo(2);
        shares.giveBack("axid:acme/a");
        shares.giveBack("axid:acme/b");
        shares.giveBack("axid:acme/b");
        assertThat(shares.held("axid:acme/a")).isZero();
        assertThat(shares.take("axid:acme/a")).isTrue();
    }
}
