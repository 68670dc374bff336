package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.policy.condition.Glob;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An A2A send's declared skill counts only when the gateway knows it for the route (priced, or in its pin manifest): else
 * it is priced at the route's dearest skill, read by metering rules as any skill and rate-limited in one bucket.
 */
class DeclaredSkillTest {

    private static final PricingTable PRICING = new PricingTable(20_000, Map.of("agent", new PricingTable.RoutePrices(10_000,
            Map.of("research", 300_000L, "chat", 5_000L), List.of(new PricingTable.GlobPrice(Glob.of("synth*"), 500_000)), 0, 0),
            "cheap", new PricingTable.RoutePrices(1_000, Map.of(), List.of(), 0, 0)), PricingTable.NONE.reportedCost(),
            PricingTable.NONE.usage(), null);

    @Test
    void aPricedSkillKeepsItsPriceAndItsOwnBucket() {
        assertThat(DeclaredSkill.of(PRICING, "agent", "chat", Set.of())).isEqualTo(new DeclaredSkill("chat", true, "chat", 5_000));
        assertThat(DeclaredSkill.of(PRICING, "agent", "research", Set.of())).isEqualTo(new DeclaredSkill("research", true, "research", 300_000));
    }

    @Test
    void aSkillPricedByAGlobSharesTheGlobsBucket() {
        assertThat(DeclaredSkill.of(PRICING, "agent", "synth-1", Set.of())).isEqualTo(new DeclaredSkill("synth-1", true, "synth*", 500_000));
        assertThat(DeclaredSkill.of(PRICING, "agent", "synth-2", Set.of()).bucket()).isEqualTo("synth*");
    }

    @Test
    void noSkillOrAnUnknownOneIsPricedAtTheRoutesDearestAndSharesOneBucket() {
        assertThat(DeclaredSkill.of(PRICING, "agent", null, Set.of())).isEqualTo(new DeclaredSkill(null, false, null, 500_000));
        assertThat(DeclaredSkill.of(PRICING, "agent", "research-1", Set.of())).isEqualTo(new DeclaredSkill("research-1", false, null, 500_000));
        // A route with only a default: that is its dearest; a route the table does not list pays the table's default.
        assertThat(DeclaredSkill.of(PRICING, "cheap", null, Set.of()).estimateMicros()).isEqualTo(1_000);
        assertThat(DeclaredSkill.of(PRICING, "unlisted", "anything", Set.of())).isEqualTo(new DeclaredSkill("anything", false, null, 20_000));
        assertThat(DeclaredSkill.of(PricingTable.NONE, "agent", "research", Set.of())).isEqualTo(new DeclaredSkill("research", false, null, 0));
    }

    @Test
    void aSkillOfThePinManifestIsKnownAtItsOwnPrice() {
        assertThat(DeclaredSkill.of(PRICING, "agent", "summarize", Set.of("summarize")))
                .isEqualTo(new DeclaredSkill("summarize", true, "summarize", 10_000));
    }

    @Test
    void factsOfAnUnknownSendAreReadFailClosedAndOfOtherCallsAsBefore() {
        DeclaredSkill unknown = DeclaredSkill.of(PRICING, "agent", "research-7", Set.of());
        BudgetFacts send = BudgetFacts.ofA2a(null, unknown, true, false);
        assertThat(send.toolUnknown()).isTrue();
        assertThat(send.costMicros()).isEqualTo(500_000);
        assertThat(send.toolBucket("research-7")).isNull();

        BudgetFacts poll = BudgetFacts.ofA2a(null, unknown, false, false);
        assertThat(poll.toolUnknown()).as("a task read is no run of any skill").isFalse();
        assertThat(poll.costMicros()).isZero();
        assertThat(poll.toolBucket("research-7")).isNull();

        BudgetFacts known = BudgetFacts.ofA2a(null, DeclaredSkill.of(PRICING, "agent", "chat", Set.of()), true, false);
        assertThat(known.toolUnknown()).isFalse();
        assertThat(known.toolBucket("chat")).isEqualTo("chat");
        assertThat(new BudgetFacts(null, 1, false).toolBucket("any_mcp_tool")).isEqualTo("any_mcp_tool");
    }

    @Test
    void anUnknownSendWithNoReportedCostPaysWhatItWasHeldAt() throws Exception {
        assertThat(PRICING.actualMicros("agent", 500_000L, null)).isEqualTo(500_000);
        assertThat(PRICING.actualMicros("agent", 500_000L, new ObjectMapper().readTree("{\"message\":{}}"))).isEqualTo(500_000);
        assertThat(PRICING.actualMicros("agent", 500_000L, new ObjectMapper().readTree("{\"_meta\":{\"cost_usd\":0.02}}"))).isEqualTo(20_000);
        assertThat(PRICING.highestMicros("agent")).isEqualTo(500_000);
    }
}
