package dev.tollgate.policy.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyTestResult;
import dev.tollgate.policy.PolicyTestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Security teams can test budget and rate-limit rules without a gateway: test cases state the facts. */
class BudgetTestCasesTest {

    @TempDir
    Path dir;

    @Test
    void testCasesGiveSpendCostAndBucketState() throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: synthesize}, {check: {name: budget, args: {limit_usd: 10}}}]}
                    action: deny
                  - name: search-rate
                    condition: {all: [{tool: search}, {check: {name: rate_limit, args: {rate: 5, per: [tenant]}}}]}
                    action: deny
                """);
        Files.writeString(dir.resolve("p.tests.yaml"), """
                tests:
                  - {name: fits, policy: p, call: {tool: synthesize}, facts: {spend_usd: 9.5, cost_usd: 0.5}, expect: {action: allow}}
                  - {name: would pass the limit, policy: p, call: {tool: synthesize}, facts: {spend_usd: 9.6, cost_usd: 0.5}, expect: {action: deny, rule: synthesis-budget}}
                  - {name: bucket empty, policy: p, call: {tool: search}, facts: {rate_limited: true}, expect: {action: deny, rule: search-rate}}
                  - {name: no facts fails closed, policy: p, call: {tool: synthesize}, expect: {action: deny, rule: synthesis-budget}}
                """);
        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());

        List<PolicyTestResult> results = PolicyTestRunner.run(bundle, dir);

        assertThat(results).hasSize(4).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }
}
