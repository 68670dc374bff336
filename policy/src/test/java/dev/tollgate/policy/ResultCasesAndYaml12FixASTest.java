package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.LocatedYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review CB, findings 1 and 2: policy test cases decide a {@code direction: result} case as the gateway's result stage
 * does ({@link CompiledPolicy#decideResult}: result rules only, a deny anywhere wins, else a pass), and native policies
 * and test files are read in YAML 1.2 ({@code 0777} is 777; forms YAML 1.1 reads as booleans or numbers and 1.2 as
 * text are refused, naming the line).
 */
class ResultCasesAndYaml12FixASTest {

    private static final String KEY = "AKIAZ7QW3RTY5UIO2PLK";

    private static List<PolicyTestResult> run(Path dir, String policy, String tests) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), policy);
        Files.writeString(dir.resolve("p.tests.yaml"), tests);
        return PolicyTestRunner.run(PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()), dir);
    }

    private static String resultCase(String name, String text, String expect) {
        return """
                  - name: %s
                    policy: p
                    call: {tool: fetch, direction: result, arguments: {content: [{type: text, text: "%s"}]}}
                    expect: %s
                """.formatted(name, text, expect);
    }

    /** A request rule's detector does not decide results live (README), so the case saying it withholds the key fails. */
    @Test
    void aRequestRuleDoesNotDecideAResultCase(@TempDir Path dir) throws Exception {
        List<PolicyTestResult> results = run(dir, """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-secrets, condition: {check: {name: secrets}}, action: deny}
                """, "tests:\n" + resultCase("withheld", "aws_access_key_id = " + KEY, "{action: deny, rule: no-secrets}")
                + resultCase("relayed", "aws_access_key_id = " + KEY, "{action: allow, rule: default}"));

        assertThat(results).extracting(PolicyTestResult::passed).containsExactly(false, true);
    }

    /** A default-deny document: a result no result rule matches passes live, not "deny (default)". */
    @Test
    void aResultNoResultRuleMatchesPassesInADefaultDenyDocument(@TempDir Path dir) throws Exception {
        List<PolicyTestResult> results = run(dir, """
                name: p
                defaults: {action: deny}
                rules:
                  - {name: fetch-ok, condition: {tool: fetch}, action: allow}
                  - {name: no-secrets, condition: {all: [{direction: result}, {check: {name: secrets}}]}, action: deny}
                """, "tests:\n" + resultCase("plain text passes", "hello", "{action: allow, rule: default}")
                + resultCase("a key is withheld", "aws_access_key_id = " + KEY, "{action: deny, rule: no-secrets}"));

        assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }

    /** Two result rules match: the gateway lets the deny win wherever it sits, not the first by priority. */
    @Test
    void aDenyAnywhereAmongTheResultRulesWins(@TempDir Path dir) throws Exception {
        List<PolicyTestResult> results = run(dir, """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: audit-fetch, priority: 10, condition: {all: [{direction: result}, {tool: fetch}]}, action: audit}
                  - {name: no-secrets, priority: 1, condition: {all: [{direction: result}, {check: {name: secrets}}]}, action: deny}
                """, "tests:\n" + resultCase("a key is withheld", "aws_access_key_id = " + KEY, "{action: deny, rule: no-secrets}"));

        assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }

    @Test
    void explainOfAResultTracesRequestRulesAsNotDeciding() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: deny}
                rules:
                  - {name: no-secrets, condition: {check: {name: secrets}}, action: deny}
                """);
        CallDescription result = PolicyTestRunner.call(PolicyFixtures.json("""
                {"tool": "fetch", "direction": "result", "arguments": {"content": [{"type": "text", "text": "key %s"}]}}""".formatted(KEY)));
        Explanation explanation = policy.explainResult(new PolicyRequest(result, PolicyFixtures.ACME, PolicyFixtures.MONDAY_10_UTC));

        assertThat(explanation.decision()).isEqualTo(policy.resultPass());
        assertThat(explanation.render()).contains("not a result rule");
    }

    @Test
    void aLeadingZeroIsDecimalInPoliciesAndTestCases(@TempDir Path dir) throws Exception {
        List<PolicyTestResult> results = run(dir, """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-world-writable, condition: {all: [{tool: chmod}, {arg: {path: /mode, in: [0777, 0666]}}]}, action: deny}
                """, """
                tests:
                  - {name: "0777", policy: p, call: {tool: chmod, arguments: {mode: 0777}}, expect: {action: deny}}
                  - {name: "777 as sent", policy: p, call: {tool: chmod, arguments: {mode: 777}}, expect: {action: deny}}
                  - {name: "octal 511 is another mode", policy: p, call: {tool: chmod, arguments: {mode: 511}}, expect: {action: allow}}
                """);

        assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
        assertThat(LocatedYaml.parse("[0777, 010, 08, 0o17, 0x1F, '0777']").root().toString()).isEqualTo("[777,10,8,15,31,\"0777\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "off", "On", "1_000", "0b101", "1_000.5"})
    void aFormYaml11AndYaml12ReadDifferentlyIsRefusedNamingTheLine(String form, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: r, condition: {arg: {path: /force, equals: %s}}, action: deny}
                """.formatted(form));

        assertThatThrownBy(() -> PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()))
                .hasMessageContaining(":4").hasMessageContaining("'" + form + "'").hasMessageContaining("YAML 1.2");
    }

    @Test
    void aTestCaseWithAnAmbiguousFormIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> run(dir, "name: p\ndefaults: {action: allow}\n",
                "tests:\n  - {name: t, policy: p, call: {tool: x, arguments: {force: yes}}, expect: {action: allow}}\n"))
                .hasMessageContaining(":2").hasMessageContaining("'yes'");
    }

    /** The gateway's own file keeps the plain YAML 1.2 reading: {@code axid: off} is the text "off". */
    @Test
    void theLaxReadingTakesTheFormsAsText() throws Exception {
        assertThat(LocatedYaml.parse("{a: off, b: yes, c: 1_000}").root().toString()).isEqualTo("{\"a\":\"off\",\"b\":\"yes\",\"c\":\"1_000\"}");
    }
}
