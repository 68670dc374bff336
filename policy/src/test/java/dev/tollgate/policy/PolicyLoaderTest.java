package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoaderTest {

    private static final String HEAD = "name: p\ndefaults: {action: allow}\nrules:\n  - name: r\n";

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("unknown operator", HEAD + "    condition: {arg: {path: /a, equals: 1}}\n    action: deny\n", 5, "rules[0].condition.arg.equals", "unknown operator 'equals'"),
                Arguments.of("bad regex", HEAD + "    condition: {arg: {path: /a, matches: \"(\"}}\n    action: deny\n", 5, "rules[0].condition.arg.matches", "invalid regular expression"),
                Arguments.of("backreference refused", HEAD + "    condition: {arg: {path: /a, matches: \"(a+)\\\\1\"}}\n    action: deny\n", 5, "rules[0].condition.arg.matches",
                        "regular expression uses a feature that cannot run in linear time (backreference/lookaround)"),
                Arguments.of("lookahead refused", HEAD + "    condition: {arg: {path: /a, matches: \"^(?!admin)\"}}\n    action: deny\n", 5, "rules[0].condition.arg.matches",
                        "regular expression uses a feature that cannot run in linear time (backreference/lookaround)"),
                Arguments.of("lookbehind refused", HEAD + "    condition: {claim: {name: sub, matches: \"(?<=x)y\"}}\n    action: deny\n", 5, "rules[0].condition.claim.matches",
                        "cannot run in linear time"),
                Arguments.of("pattern too large to scan in bounded time", HEAD + "    condition: {arg: {path: /a, matches: \"\\\\d{1000}x\"}}\n    action: deny\n", 5,
                        "rules[0].condition.arg.matches", "regular expression is too large to run in bounded time: it compiles to 1003 instructions"),
                Arguments.of("Java class intersection refused (RE2 would read it differently)", HEAD + "    condition: {arg: {path: /a, matches: \"[a-z&&[^x]]\"}}\n    action: deny\n", 5,
                        "rules[0].condition.arg.matches", "character-class intersection"),
                Arguments.of("unknown condition", HEAD + "    condition: {toool: x}\n    action: deny\n", 5, "rules[0].condition.toool", "unknown condition 'toool'"),
                Arguments.of("two keys in one condition", HEAD + "    condition: {tool: x, method: y}\n    action: deny\n", 5, "rules[0].condition", "exactly one key"),
                Arguments.of("unknown check", HEAD + "    condition: {check: {name: nope}}\n    action: deny\n", 5, "rules[0].condition.check.name", "unknown check 'nope'"),
                Arguments.of("bad check args", HEAD + "    condition: {check: {name: argument_size, args: {}}}\n    action: deny\n", 5, "rules[0].condition.check.args", "max_bytes"),
                Arguments.of("bad action", HEAD + "    condition: {tool: x}\n    action: block\n", 6, "rules[0].action", "allow, deny, audit, approve or redact"),
                Arguments.of("approval on a deny rule", HEAD + "    condition: {tool: x}\n    action: deny\n    approval: {timeout: 1m}\n", 7,
                        "rules[0].approval", "only to a rule with action approve"),
                Arguments.of("approval timeout not a duration", HEAD + "    condition: {tool: x}\n    action: approve\n    approval: {timeout: soon}\n", 7,
                        "rules[0].approval.timeout", "duration from 1s to 24h"),
                Arguments.of("approval timeout over a day", HEAD + "    condition: {tool: x}\n    action: approve\n    approval: {timeout: 25h}\n", 7,
                        "rules[0].approval.timeout", "duration from 1s to 24h"),
                Arguments.of("approval on-timeout not deny or allow", HEAD + "    condition: {tool: x}\n    action: approve\n    approval: {on-timeout: audit}\n", 7,
                        "rules[0].approval.on-timeout", "deny or allow"),
                Arguments.of("approval unknown field", HEAD + "    condition: {tool: x}\n    action: approve\n    approval: {timeuot: 1m}\n", 7,
                        "rules[0].approval.timeuot", "unknown field"),
                Arguments.of("missing action", HEAD + "    condition: {tool: x}\n", 4, "rules[0]", "action is required"),
                Arguments.of("bad priority", HEAD + "    priority: high\n    condition: {tool: x}\n    action: deny\n", 5, "rules[0].priority", "integer"),
                Arguments.of("unknown rule field", HEAD + "    conditon: {tool: x}\n    action: deny\n", 5, "rules[0].conditon", "unknown field"),
                Arguments.of("bad pointer", HEAD + "    condition: {arg: {path: command, eq: 1}}\n    action: deny\n", 5, "rules[0].condition.arg.path", "JSON pointer"),
                Arguments.of("in needs a list", HEAD + "    condition: {arg: {path: /a, in: 1}}\n    action: deny\n", 5, "rules[0].condition.arg.in", "needs a list"),
                Arguments.of("bad mode", "name: p\nmode: loud\nrules: []\n", 2, "mode", "enforce or shadow"),
                Arguments.of("missing name", "rules: []\n", 0, "name", "name is required"),
                Arguments.of("bad time", HEAD + "    condition: {time: {after: \"9am\"}}\n    action: deny\n", 5, "rules[0].condition.time", "HH:MM"),
                Arguments.of("duplicate rule name", HEAD + "    condition: {tool: x}\n    action: deny\n  - name: r\n    condition: {tool: y}\n    action: deny\n", 7, "rules[1].name", "duplicate rule name"),
                Arguments.of("duplicate YAML key", HEAD + "    condition: {tool: x}\n    action: deny\n    action: allow\n", 7, "", "Duplicate field 'action'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithLineFieldAndReason(String name, String yaml, int line, String field, String message) {
        assertThatThrownBy(() -> PolicyLoader.parse(yaml, "p.yaml", CheckRegistry.withDefaults()))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).anySatisfy(p -> {
                    assertThat(p.file()).isEqualTo("p.yaml");
                    if (line > 0) {
                        assertThat(p.line()).as("line").isEqualTo(line);
                    }
                    assertThat(p.field()).isEqualTo(field);
                    assertThat(p.message()).contains(message);
                }));
    }

    @Test
    void loadsADirectoryAndRunsItsTestCases(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tools.yaml"), """
                name: tools
                defaults: {action: allow}
                rules:
                  - name: no-shell
                    condition: {tool: "shell_*"}
                    action: deny
                """);
        Files.writeString(dir.resolve("tools.tests.yaml"), """
                tests:
                  - name: shell is blocked
                    policy: tools
                    call: {tool: shell_exec, arguments: {cmd: ls}}
                    expect: {action: deny, rule: no-shell}
                  - name: search is fine
                    policy: tools
                    call: {tool: search}
                    expect: {action: allow, rule: default}
                  - name: a wrong expectation
                    policy: tools
                    call: {tool: search}
                    expect: {action: deny}
                """);

        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());
        List<PolicyTestResult> results = PolicyTestRunner.run(bundle, dir);

        assertThat(bundle.policy("tools")).isPresent();
        assertThat(results).extracting(PolicyTestResult::passed).containsExactly(true, true, false);
        assertThat(results.get(2).toString()).contains("tools.tests.yaml:10", "expected DENY, got ALLOW (default)");
    }

    /** Review AO: an editor's lock or a copied AppleDouble file beside a policy blocked every reload and start-up. */
    @Test
    void hiddenFilesBesideThePoliciesAreNotRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\n");
        Files.createSymbolicLink(dir.resolve(".#p.yaml"), Path.of("root@host.1234:1700000000")); // Emacs: dangling on purpose
        Files.write(dir.resolve("._p.yaml"), new byte[] {0, 5, 22, 7, 0, 2, 0, 0, (byte) 0xff, (byte) 0xfe}); // macOS metadata
        Files.writeString(dir.resolve(".p.tests.yaml"), "tests: [{name: t, policy: nope, call: {tool: x}, expect: {action: deny}}]\n");

        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());

        assertThat(bundle.all()).extracting(CompiledPolicy::name).containsExactly("p");
        assertThat(PolicyTestRunner.run(bundle, dir)).isEmpty();
    }

    @Test
    void twoDocumentsWithOneNameAreRejected(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "name: same\nrules: []\n");
        Files.writeString(dir.resolve("b.yaml"), "name: same\nrules: []\n");

        assertThatThrownBy(() -> PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()))
                .hasMessageContaining("policy name 'same' is also used by");
    }

    @Test
    void aDocumentNamedAsTheGatewaysOwnDecisionsIsRejected(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "name: tollgate-gateway\nrules: []\n");

        assertThatThrownBy(() -> PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()))
                .hasMessageContaining("policy name 'tollgate-gateway'").hasMessageContaining("rename the policy");
    }

    @Test
    void theShippedExamplePoliciesLoadAndTheirTestsPass() throws Exception {
        Path dir = Path.of("../conf/policies");
        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());

        List<PolicyTestResult> results = PolicyTestRunner.run(bundle, dir);

        assertThat(results).isNotEmpty().allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }

    @Test
    void aMisspeltFieldInATestCaseIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tools.yaml"), "name: tools\ndefaults: {action: allow}\n");
        Files.writeString(dir.resolve("tools.tests.yaml"), """
                tests:
                  - name: tenant typo
                    policy: tools
                    call: {tool: search}
                    identity:
                      tenat: acme
                    expect: {action: allow}
                  - name: bad action
                    policy: tools
                    call: {tool: search}
                    expect: {action: permit}
                """);
        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());

        assertThatThrownBy(() -> PolicyTestRunner.run(bundle, dir))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).extracting(PolicyProblem::toString)
                        .anySatisfy(p -> assertThat(p).endsWith("tools.tests.yaml:6: tests[0].identity.tenat: unknown field (expected one of agent, capabilities, claims, parent, run, spiffe_id, sub, tenant, tree)"))
                        .anySatisfy(p -> assertThat(p).contains("tools.tests.yaml:11: tests[1].expect.action: action is allow, deny, audit or approve")));
    }
}
