package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What AGT 5.0.0 changed in its policy language: an omitted {@code defaults.action} denies, and a rule's
 * {@code dynamic_condition} limits when it holds. A rule limited to a window must not hold outside it (4.1.0-era
 * Tollgate ignored the field, so a business-hours allow rule allowed at any hour).
 */
class AgtV5Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUSINESS_HOURS = "name: p\ndefaults: {action: deny}\nrules:\n"
            + "  - name: allow-reports-in-hours\n"
            + "    condition: {field: tool_name, operator: eq, value: export_report}\n"
            + "    action: allow\n"
            + "    dynamic_condition:\n"
            + "      type: time_window\n"
            + "      timezone: Europe/Paris\n"
            + "      start_time: \"09:00\"\n"
            + "      end_time: \"17:00\"\n"
            + "      days_of_week: [1, 2, 3, 4, 5]\n";

    private static CompiledPolicy load(String yaml) throws PolicyException {
        return PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
    }

    private static Decision call(CompiledPolicy policy, String tool, String at) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree("{}")), Identity.ANONYMOUS,
                Instant.parse(at), new AssumedFacts(0, 0, false)));
    }

    @Test
    void omittedDefaultActionDeniesAsAgt5DoesAndSaysHowToKeep41() throws Exception {
        CompiledPolicy policy = load("name: p\nrules:\n  - name: r\n    condition: {field: tool_name, operator: eq, value: x}\n"
                + "    action: allow\n");
        assertThat(call(policy, "other", "2026-07-27T10:00:00Z").action()).isEqualTo(Action.DENY);
        assertThat(policy.warnings()).anySatisfy(w -> assertThat(w.message())
                .contains("denied, as in AGT 5.0.0", "AGT 4.1.0 allowed", "defaults: {action: allow}"));
        CompiledPolicy emptyDefaults = load("name: p\ndefaults: {max_tool_calls: 5}\nrules:\n  - name: r\n"
                + "    condition: {field: tool_name, operator: eq, value: x}\n    action: allow\n");
        assertThat(call(emptyDefaults, "other", "2026-07-27T10:00:00Z").action()).isEqualTo(Action.DENY);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // 2026-07-27 is a Monday; Paris is UTC+2 in summer.
            "2026-07-27T07:00:00Z, ALLOW",    // 09:00 Paris: the start is inside
            "2026-07-27T06:59:59Z, DENY",     // 08:59:59
            "2026-07-27T14:59:59Z, ALLOW",    // 16:59:59
            "2026-07-27T15:00:00Z, DENY",     // 17:00: the end is outside
            "2026-07-27T01:00:00Z, DENY",     // 03:00 at night
            "2026-08-01T10:00:00Z, DENY",     // Saturday noon
            "2026-01-05T08:30:00Z, ALLOW",    // Monday 09:30 Paris in winter (UTC+1)
    })
    void allowRuleLimitedToAWindowNoLongerAllowsOutsideIt(String at, Action expected) throws Exception {
        CompiledPolicy policy = load(BUSINESS_HOURS);
        Decision decision = call(policy, "export_report", at);
        assertThat(decision.action()).isEqualTo(expected);
        assertThat(decision.ruleName()).isEqualTo(expected == Action.ALLOW ? "allow-reports-in-hours" : null);
    }

    @Test
    void explainNamesTheWindowThatDidNotHold() throws Exception {
        Explanation explanation = load(BUSINESS_HOURS).explain(new PolicyRequest(
                CallDescription.mcpToolCall("r", "export_report", JSON.readTree("{}")), Identity.ANONYMOUS,
                Instant.parse("2026-07-27T20:00:00Z"), new AssumedFacts(0, 0, false)));
        assertThat(explanation.toString()).contains("outside the window");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "2026-07-27T22:30:00Z, DENY",  // 22:30 UTC Monday: in the window that wraps midnight
            "2026-07-28T05:59:00Z, DENY",  // 05:59 Tuesday: still in it (the day is the call's local day)
            "2026-07-28T06:00:00Z, ALLOW", // 06:00: the end is outside
            "2026-07-27T12:00:00Z, ALLOW",
    })
    void windowThatWrapsMidnightHoldsOnBothSides(String at, Action expected) throws Exception {
        CompiledPolicy policy = load("name: p\ndefaults: {action: allow}\nrules:\n  - name: no-deploys-at-night\n"
                + "    condition: {field: tool_name, operator: eq, value: deploy}\n    action: deny\n"
                + "    dynamic_condition: {type: time_window, timezone: utc, start_time: \"22:00\", end_time: \"06:00\"}\n");
        assertThat(call(policy, "deploy", at).action()).isEqualTo(expected);
    }

    @Test
    void dayOfWeekAndLaxForms() throws Exception {
        // Days as pydantic's lax int reads them; " 9:5" as Python's int() reads each part; no timezone is UTC.
        CompiledPolicy policy = load("name: p\ndefaults: {action: deny}\nrules:\n"
                + "  - name: weekend\n    condition: {field: tool_name, operator: eq, value: t}\n    action: allow\n"
                + "    dynamic_condition: {type: day_of_week, days_of_week: [\"6\", 7.0], timezone: Asia/Tokyo}\n"
                + "  - name: lax\n    condition: {field: tool_name, operator: eq, value: u}\n    action: allow\n"
                + "    dynamic_condition: {type: time_window, start_time: \" 9:5\", end_time: \"+10:00\"}\n");
        assertThat(call(policy, "t", "2026-07-31T16:00:00Z").action()).as("Saturday 01:00 in Tokyo").isEqualTo(Action.ALLOW);
        assertThat(call(policy, "t", "2026-07-31T14:00:00Z").action()).as("Friday 23:00 in Tokyo").isEqualTo(Action.DENY);
        assertThat(call(policy, "u", "2026-07-31T09:05:00Z").action()).isEqualTo(Action.ALLOW);
        assertThat(call(policy, "u", "2026-07-31T09:04:59Z").action()).isEqualTo(Action.DENY);
    }

    @Test
    void sandboxMountsIsASandboxSettingIgnoredWithAWarning() throws Exception {
        CompiledPolicy policy = load("name: p\ndefaults: {action: deny}\nsandbox_mounts: {input_dir: /data, output_dir: /out}\nrules: []\n");
        assertThat(policy.warnings()).anySatisfy(w -> {
            assertThat(w.field()).isEqualTo("sandbox_mounts");
            assertThat(w.message()).contains("sandbox setting", "not enforced");
        });
    }

    static Stream<Arguments> refused() {
        String head = "name: p\ndefaults: {action: deny}\nrules:\n  - name: r\n    condition: {field: tool_name, operator: eq, value: x}\n"
                + "    action: allow\n    dynamic_condition:\n";
        String window = "      type: time_window\n      start_time: \"09:00\"\n      end_time: \"17:00\"\n";
        return Stream.of(
                Arguments.of("offset as a zone", head + window + "      timezone: \"+02:00\"\n", 11, "rules[0].dynamic_condition.timezone",
                        "unknown time zone '+02:00'"),
                Arguments.of("unknown zone", head + window + "      timezone: Mars/Olympus\n", 11, "rules[0].dynamic_condition.timezone",
                        "unknown time zone 'Mars/Olympus'"),
                Arguments.of("zone in the wrong case", head + window + "      timezone: europe/paris\n", 11,
                        "rules[0].dynamic_condition.timezone", "unknown time zone"),
                Arguments.of("hour 24", head + "      type: time_window\n      start_time: \"24:00\"\n      end_time: \"17:00\"\n", 9,
                        "rules[0].dynamic_condition.start_time", "start_time is HH:MM, 00:00 to 23:59, got '24:00'"),
                Arguments.of("seconds", head + "      type: time_window\n      start_time: \"09:00\"\n      end_time: \"17:00:00\"\n", 10,
                        "rules[0].dynamic_condition.end_time", "end_time is HH:MM"),
                Arguments.of("unquoted 17:00 (YAML 1.1: the number 1020)", head
                                + "      type: time_window\n      start_time: \"09:00\"\n      end_time: 17:00\n", 10,
                        "rules[0].dynamic_condition.end_time", "quote it"),
                Arguments.of("no end_time", head + "      type: time_window\n      start_time: \"09:00\"\n", 7,
                        "rules[0].dynamic_condition", "time_window requires start_time and end_time"),
                Arguments.of("day_of_week without days", head + "      type: day_of_week\n      days_of_week: []\n", 7,
                        "rules[0].dynamic_condition", "day_of_week requires days_of_week"),
                Arguments.of("day 8", head + "      type: day_of_week\n      days_of_week: [1, 8]\n", 9,
                        "rules[0].dynamic_condition.days_of_week[1]", "ISO day numbers, 1 (Monday) to 7 (Sunday), got '8'"),
                Arguments.of("days not a list", head + window + "      days_of_week: 1\n", 11, "rules[0].dynamic_condition.days_of_week",
                        "days_of_week is a list"),
                Arguments.of("unknown type", head + "      type: weekly\n", 8, "rules[0].dynamic_condition.type",
                        "type is one of time_window, day_of_week, token_count_per_window, cost_per_window"),
                Arguments.of("no type", head + "      timezone: UTC\n", 7, "rules[0].dynamic_condition.type", "type is one of"),
                Arguments.of("misspelt key", head + window + "      days_of_weeks: [1]\n", 11, "rules[0].dynamic_condition.days_of_weeks",
                        "unknown dynamic_condition field"),
                Arguments.of("a field the type does not read", head + "      type: day_of_week\n      days_of_week: [1]\n"
                        + "      start_time: \"09:00\"\n", 10, "rules[0].dynamic_condition.start_time", "not read by day_of_week"),
                Arguments.of("not a mapping", head.replace("    dynamic_condition:\n", "    dynamic_condition: time_window\n"), 7,
                        "rules[0].dynamic_condition", "dynamic_condition is a mapping"),
                Arguments.of("token budget", head + "      type: token_count_per_window\n      window: 1h\n      limit: 10000\n", 8,
                        "rules[0].dynamic_condition.type", "native budget or rate_limit"),
                Arguments.of("cost budget", head + "      type: cost_per_window\n      window: 1d\n      limit: 5\n", 8,
                        "rules[0].dynamic_condition.type", "a gateway never sees"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesDynamicConditionsAgtRefusesOrNeverMatches(String label, String yaml, int line, String field, String message) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.file()).isEqualTo("agt.yaml");
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.message()).contains(message);
            assertThat(p.line()).isEqualTo(line);
        }));
    }
}
