package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.condition.RegexDecisionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fix AE: review BI's four findings, at the policy level (the gateway-level tests are the *ReviewBITest classes). */
class ReviewBIFixesTest {

    // --- 1. matches decided on the value's text readings ---

    private static final CompiledPolicy BLOCK_RM = PolicyFixtures.rules("allow", """
              - name: block-destructive-shell
                condition:
                  all:
                    - tool: run_command
                    - arg: {path: /command, matches: "\\\\brm\\\\s+-[a-z]*[rf]"}
                action: deny
            """);

    @ParameterizedTest
    @ValueSource(strings = {"[\"rm -rf /var/data\"]", "[\"x\", \"rm -rf /\"]", "[[\"rm -rf /\"]]", "{\"a\": \"rm -rf /\"}"})
    void aMatchesDenyHoldsForTheValueSentAsAListOrMapping(String command) {
        Decision decision = BLOCK_RM.evaluate(toolCall("run_command", "{\"command\": " + command + "}"));

        assertThat(decision.enforcedDeny()).as(decision.toString()).isTrue();
        assertThat(decision.failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
    }

    private static final CompiledPolicy BLOCK_SHADOW = PolicyFixtures.rules("allow", """
              - name: no-shadow-eq
                condition:
                  all:
                    - tool: read_file
                    - arg: {path: /path, eq: "/etc/shadow", normalize: path}
                action: deny
              - name: no-shadow-in
                condition:
                  all:
                    - tool: read_file
                    - arg: {path: /path, in: ["/etc/shadow"], normalize: path}
                action: deny
            """);

    /**
     * Review BM: under {@code normalize:} a list was normalized element by element (and not below its top level), then
     * joined, where the upstream joins the raw value and resolves the whole text: {@code ["/etc/", "/../shadow"]} reads
     * "/etc/shadow". The value's texts are now made from the raw value and normalized whole (eq and in too).
     */
    @ParameterizedTest
    @ValueSource(strings = {"[[\"/tmp/../etc/shadow\"]]", "[\"/etc/\", \"/../shadow\"]"})
    void aNormalizedListIsDecidedOnTheWholeTextItJoinsTo(String path) {
        Decision decision = BLOCK_SHADOW.evaluate(toolCall("read_file", "{\"path\": " + path + "}"));

        assertThat(decision.enforcedDeny()).as(path + ": " + decision).isTrue();
        Decision harmless = BLOCK_SHADOW.evaluate(toolCall("read_file", "{\"path\": [\"/tmp/\", \"notes\"]}"));
        assertThat(harmless.isDenied()).as(harmless.toString()).isFalse();
    }

    @Test
    void theStringIsDeniedAsBeforeAndAHarmlessListPasses() {
        Decision string = BLOCK_RM.evaluate(toolCall("run_command", "{\"command\": \"rm -rf /var/data\"}"));
        assertThat(string.enforcedDeny()).isTrue();
        assertThat(string.failure()).isEqualTo(Decision.Failure.NONE);

        Decision list = BLOCK_RM.evaluate(toolCall("run_command", "{\"command\": [\"ls\", \"-la\"]}"));
        assertThat(list.isDenied()).as(list.toString()).isFalse();
    }

    @Test
    void aMatchesOnANumberIsDecidedOnItsTexts() {
        CompiledPolicy policy = PolicyFixtures.rules("allow", """
                  - name: no-ssh-port
                    condition: {arg: {path: /port, matches: "^(22|23)$"}}
                    action: deny
                """);
        // 22.0 is "22.0" to Jackson, "22" to JavaScript's String().
        Decision decision = policy.evaluate(toolCall("open", "{\"port\": 22.0}"));
        assertThat(decision.enforcedDeny()).as(decision.toString()).isTrue();
        assertThat(policy.evaluate(toolCall("open", "{\"port\": 22}")).enforcedDeny()).isTrue();
        assertThat(policy.evaluate(toolCall("open", "{\"port\": 8080.0}")).isDenied()).isFalse();
    }

    // --- 2. the format decided from the rules' shapes ---

    private static final String NATIVE_WITH_METADATA = """
            name: native
            metadata: {owner: security-team}
            defaults: {action: allow}
            rules:
              - name: no-shell-tools
                condition: {tool: "shell_*"}
                action: deny
            """;

    @Test
    void aNativeDocumentWithAnAgtOnlyKeyIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> PolicyLoader.parse(NATIVE_WITH_METADATA, "native.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("native.yaml").hasMessageContaining("metadata").hasMessageContaining("shell_*");
    }

    @Test
    void aDocumentMixingAgtAndNativeRulesIsRefused() {
        String mixed = """
                name: mixed
                defaults: {action: allow}
                rules:
                  - name: agt-rule
                    condition: {field: tool_name, operator: eq, value: delete_all}
                    action: deny
                  - name: native-rule
                    condition: {arg: {path: /command, matches: "rm"}}
                    action: deny
                """;
        assertThatThrownBy(() -> PolicyLoader.parse(mixed, "mixed.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("mixes formats").hasMessageContaining("/rules/0").hasMessageContaining("'arg'");
    }

    @Test
    void anAgtToolNameWithAGlobIsALoadError() {
        String agt = """
                name: agt
                defaults: {action: allow}
                rules:
                  - rule_id: no-shell
                    condition: {tool: "shell_*"}
                    action: deny
                """;
        assertThatThrownBy(() -> PolicyLoader.parse(agt, "agt.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("no globs");
    }

    @Test
    void anAgtDocumentWithMetadataAndExactToolNamesStillLoadsAsAgt() throws Exception {
        String agt = """
                name: agt
                metadata: {owner: security-team}
                defaults: {action: allow}
                rules:
                  - name: no-shell
                    condition: {tool: shell_exec}
                    action: deny
                """;
        CompiledPolicy policy = PolicyLoader.parse(agt, "agt.yaml", CheckRegistry.withDefaults());
        assertThat(policy.evaluate(toolCall("shell_exec", "{}")).enforcedDeny()).isTrue();
        assertThat(PolicyLoader.isAgtDocument(PolicyLoader.readDocument(agt))).isTrue();
        // The same rules without the AGT-only key are read alike as native.
        CompiledPolicy plain = PolicyLoader.parse(agt.replace("metadata: {owner: security-team}\n", ""), "n.yaml",
                CheckRegistry.withDefaults());
        assertThat(plain.evaluate(toolCall("shell_exec", "{}")).enforcedDeny()).isTrue();
    }

    // --- 3. time.days ---

    private static String deployDays(String days) {
        return """
                name: deploys
                defaults: {action: deny}
                rules:
                  - name: office-hours
                    condition:
                      all:
                        - tool: deploy_production
                        - time: {after: "09:00", before: "17:00", zone: UTC, days: %s}
                    action: allow
                """.formatted(days);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mon-fri", "weekdays", "[]", "null", "1"})
    void aDaysValueThatIsNoListOfDayNamesIsALoadError(String days) {
        assertThatThrownBy(() -> PolicyLoader.parse(deployDays(days), "deploys.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("deploys.yaml").hasMessageContaining("days");
    }

    @Test
    void oneDayNameIsTheOneElementList() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(deployDays("sat"), "deploys.yaml", CheckRegistry.withDefaults());
        PolicyRequest saturday = new PolicyRequest(CallDescription.mcpToolCall("r", "deploy_production",
                PolicyFixtures.json("{}")), Identity.ANONYMOUS, Instant.parse("2026-12-05T10:00:00Z"));
        PolicyRequest monday = new PolicyRequest(CallDescription.mcpToolCall("r", "deploy_production",
                PolicyFixtures.json("{}")), Identity.ANONYMOUS, Instant.parse("2026-12-07T10:00:00Z"));
        assertThat(policy.evaluate(saturday).allowsCall()).isTrue();
        assertThat(policy.evaluate(monday).allowsCall()).isFalse();
    }

    // --- 4. one step budget per decision (deterministic: steps counted, not time) ---

    private static final Path PACK = Path.of(System.getProperty("tollgate.agt.examples", "/work/shared/agt-examples"),
            "examples__atr-community-rules__atr_security_policy.yaml");

    /** The pack's words, one per line, in a fixed shuffled order, up to {@code chars} characters (as review BI's test). */
    private static String wordsOfThePack(String yaml, int chars) {
        LinkedHashSet<String> words = new LinkedHashSet<>();
        Matcher value = Pattern.compile("value: (.*)").matcher(yaml);
        while (value.find()) {
            Matcher word = Pattern.compile("[A-Za-z_]{3,}").matcher(value.group(1));
            while (word.find()) {
                words.add(word.group().toLowerCase(Locale.ROOT));
            }
        }
        List<String> list = new ArrayList<>(words);
        Collections.shuffle(list, new Random(16_000));
        StringBuilder text = new StringBuilder();
        for (String w : list) {
            if (text.length() + w.length() + 3 > chars) {
                break;
            }
            text.append(w).append('\n');
        }
        return text.toString();
    }

    @Test
    void theAtrPacksSearchesShareOneBudgetPerDecision() throws Exception {
        String yaml = Files.readString(PACK);
        CompiledPolicy policy = PolicyLoader.parse(yaml, PACK.toString(), CheckRegistry.withDefaults());
        PolicyRequest large = new PolicyRequest(CallDescription.mcpToolCall("r", "summarize",
                PolicyFixtures.JSON.valueToTree(java.util.Map.of("tool_response", wordsOfThePack(yaml, 16_000)))),
                Identity.ANONYMOUS, Instant.now());

        for (int i = 0; i < 2; i++) { // the second decision has a budget of its own, not what the first left
            Decision decision = policy.evaluate(large);
            assertThat(decision.enforcedDeny()).as(decision.toString()).isTrue();
            assertThat(decision.failure()).isEqualTo(Decision.Failure.REGEX_STEP_BUDGET);
            // Bounded by the decision's budget: the last search stops once it is spent.
            assertThat(RegexDecisionBudget.spent()).isBetween(RegexDecisionBudget.MAX_DECISION_STEPS,
                    RegexDecisionBudget.MAX_DECISION_STEPS + 1);
        }

        // A 4 KB text of the same words stays well inside it, and passes.
        PolicyRequest small = new PolicyRequest(CallDescription.mcpToolCall("r", "summarize",
                PolicyFixtures.JSON.valueToTree(java.util.Map.of("tool_response", wordsOfThePack(yaml, 4_000)))),
                Identity.ANONYMOUS, Instant.now());
        Decision decision = policy.evaluate(small);
        assertThat(decision.failure()).as(decision.toString()).isEqualTo(Decision.Failure.NONE);
        assertThat(RegexDecisionBudget.spent()).isPositive().isLessThan(RegexDecisionBudget.MAX_DECISION_STEPS / 4);
    }
}
