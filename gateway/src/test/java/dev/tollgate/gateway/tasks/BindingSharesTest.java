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
    void theShareIsTheTenantKey() {
        assertThat(BindingShares.shareOf("axid:acme/bot/u")).isEqualTo("tenant:acme");
        assertThat(BindingShares.shareOf("axid:acme/bot|oauth:i/c/s")).isEqualTo("tenant:acme");
        assertThat(BindingShares.shareOf("axid:-/bot")).as("a tenantless agent's").isEqualTo("agent:bot");
        assertThat(BindingShares.shareOf("axid:-/bot/user-1")).as("whatever its sub-user").isEqualTo("agent:bot");
        assertThat(BindingShares.shareOf("spiffe:spiffe://example.org/w")).isEqualTo("spiffe:spiffe://example.org/w");
        assertThat(BindingShares.shareOf("spiffe:spiffe://example.org/w|oauth:i/c/s")).as("the OAuth user's, behind a workload too (review AJ)")
                .isEqualTo("oauth:i/sub:s");
        assertThat(BindingShares.shareOf("axid:-/bot|spiffe:spiffe://example.org/w")).as("a tenantless agent's workload (review AJ)")
                .isEqualTo("spiffe:spiffe://example.org/w");
        assertThat(BindingShares.shareOf("oauth:i/c/s")).as("the OAuth principal's, not its client's (review AI)").isEqualTo("oauth:i/sub:s");
        assertThat(BindingShares.shareOf("oauth:i/-/s")).as("a token naming no client").isEqualTo("oauth:i/sub:s");
        assertThat(BindingShares.shareOf("oauth:i/c%2Fx/-")).as("a client without a subject").isEqualTo("oauth:i/client:c%2Fx");
        assertThat(BindingShares.shareOf("axid:-/bot|oauth:i/c/s")).isEqualTo("oauth:i/sub:s");
        assertThat(BindingShares.shareOf("axid:acme%2Fops/bot")).as("an escaped '/' stays in the tenant").isEqualTo("tenant:acme%2Fops");
        assertThat(BindingShares.shareOf("")).as("anonymous tasks' one share").isEqualTo("");
    }

    @Test
    void usersOfOneOAuthClientHaveSharesOfTheirOwn() {
        BindingShares shares = new BindingShares(1);
        assertThat(shares.take("oauth:i/app/mallory")).isTrue();
        assertThat(shares.take("oauth:i/app/mallory")).as("mallory's share is full").isFalse();
        assertThat(shares.take("oauth:i/app/alice")).as("alice, a user of the same client, has her own").isTrue();
        assertThat(shares.take("oauth:i/-/bob")).as("so has a user whose token names no client").isTrue();
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
