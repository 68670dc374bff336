package dev.tollgate.policy.agt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (medium): AGT {@code defaults.max_tool_calls: N} is enforced as a rate_limit bucket keyed
 * {@code per: [run]} only (AgtDocumentLoader.maxToolCalls, AgtImporter likewise), and a rule keyed by identity fields
 * alone has no owner but its key (RateLimitCheck: owner = key). The AXID run id is unique per agent at best, not across
 * tenants and agents: AGT counts {@code ctx.call_count} per agent context (base.py), i.e. one agent's run. Two callers
 * whose runs carry the same id, e.g. tenant acme's planner and tenant globex's researcher both on {@code run-1} (run ids
 * numbered per agent or per tenant, or a tenant that chooses its run ids), draw from ONE bucket: globex's run spends
 * acme's N calls and acme's next tool call is denied "this run has made its N tool calls". Callers with no run claim at
 * all (SPIFFE workloads, OAuth clients behind an AXID-less route) all share the bucket {@code -} (documented in the
 * loader's javadoc, but it is one caller limiting every other: the first such client to make N calls in a day stops all
 * of them).
 *
 * <p>Input: {@code defaults: {action: allow, max_tool_calls: 3}}; a tools/call by (acme, planner, run-1) and one by
 * (globex, researcher, run-1); then by two SPIFFE workloads without a run.
 *
 * <p>Gateway accounted: the same bucket key for both callers of each pair. Should be: a bucket per caller's run.
 *
 * <p>Suggested fix: key the cap {@code per: [tenant, agent, run]} (and sub when present); for callers with no run
 * claim, key by the caller (CallerKey) plus "no run", or refuse to load max_tool_calls on routes whose callers carry no
 * run. Changing the key resets running counts once, at upgrade (say so in the notes).
 */
class MaxToolCallsRunScopeReviewYTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records the bucket key each rate_limit check asks for; never limited. */
    static final class Keys implements CallFacts {
        final List<String> keys = new ArrayList<>();

        @Override
        public boolean overBudget(String rule, long limitMicros) {
            return false;
        }

        @Override
        public boolean rateLimited(String rule, String key, double perSecond, long burst) {
            keys.add(key);
            return false;
        }

        @Override
        public boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
            keys.add(key);
            return false;
        }
    }

    private static final CompiledPolicy CAPPED = load();

    private static CompiledPolicy load() {
        try {
            return PolicyLoader.parse("""
                    version: "1.0"
                    name: capped
                    defaults: {action: allow, max_tool_calls: 3}
                    rules:
                      - name: block-shell
                        condition: {field: tool_name, operator: eq, value: shell}
                        action: deny
                    """, "capped.yaml", CheckRegistry.withDefaults());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String bucketOf(Identity who) throws Exception {
        Keys facts = new Keys();
        CAPPED.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "search", JSON.readTree("{}")), who,
                Instant.parse("2026-12-06T10:00:00Z"), facts));
        assertThat(facts.keys).hasSize(1);
        return facts.keys.get(0);
    }

    @Test
    void twoTenantsRunsOfTheSameIdDoNotShareACap() throws Exception {
        Identity acme = new Identity(null, "acme", "planner", "run-1", null, null, "tree-a", List.of(), Map.of());
        Identity globex = new Identity(null, "globex", "researcher", "run-1", null, null, "tree-g", List.of(), Map.of());

        assertThat(bucketOf(globex)).as("globex's run-1 counts against acme's run-1").isNotEqualTo(bucketOf(acme));
    }

    @Test
    void twoWorkloadsWithoutARunDoNotShareACap() throws Exception {
        Identity billing = new Identity("spiffe://prod/billing", null, null, null, null, null, null, List.of(), Map.of());
        Identity crawler = new Identity("spiffe://prod/crawler", null, null, null, null, null, null, List.of(), Map.of());

        assertThat(bucketOf(crawler)).as("the crawler's calls count against the billing workload's cap").isNotEqualTo(bucketOf(billing));
    }
}
