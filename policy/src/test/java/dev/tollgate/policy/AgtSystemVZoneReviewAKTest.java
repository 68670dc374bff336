package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.agt.NativeDocumentWriter;
import dev.tollgate.policy.agt.RuleImport;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review AK: a {@code dynamic_condition} timezone Java knows and Python's {@code zoneinfo} does not.
 *
 * <p>{@code AgtDynamicCondition.zone} keeps every id in {@code ZoneId.getAvailableZoneIds()}, claiming these are "IANA
 * region ids Java knows too". The JDK's tzdb still carries the 13 {@code SystemV/*} ids (SystemV/EST5, SystemV/PST8PDT,
 * ...), which IANA's tzdata dropped: {@code zoneinfo.ZoneInfo("SystemV/EST5")} raises {@code ZoneInfoNotFoundError}
 * (checked against every id Java lists: these 13 are the only ones Python 3.11.7 with the system tzdata 2025b cannot
 * find; the pip tzdata package has none of them either). In AGT 5.0.0 that ValueError makes
 * {@code DynamicConditionEvaluator.evaluate} return False at every call, so the rule never matches. Tollgate compiles the
 * zone (fixed UTC-5) and the rule holds in its window: a windowed ALLOW rule allows what AGT denies.
 *
 * <p>Ground truth, AGT 5.0.0 itself (schema.py/evaluator.py/dynamic_conditions.py through the stub package of
 * generate.py, {@code PolicyEvaluator(policies=[doc]).evaluate(ctx, dynamic_context={"timestamp": ts})}) on
 * {@link #DOC}:
 * <pre>
 * 2026-07-27T15:00:00Z {'tool_name': 'export_report'} -> allowed=False action=deny rule=None
 * 2026-07-27T03:00:00Z {'tool_name': 'export_report'} -> allowed=False action=deny rule=None
 * </pre>
 * and with {@code timezone: EST5EDT} (the control): {@code 2026-07-27T15:00:00Z -> allowed=True action=allow
 * rule=allow-reports-in-hours}.
 */
class AgtSystemVZoneReviewAKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DOC = "name: p\ndefaults: {action: deny}\nrules:\n"
            + "  - name: allow-reports-in-hours\n"
            + "    condition: {field: tool_name, operator: eq, value: export_report}\n"
            + "    action: allow\n"
            + "    dynamic_condition:\n"
            + "      type: time_window\n"
            + "      timezone: SystemV/EST5\n"
            + "      start_time: \"09:00\"\n"
            + "      end_time: \"17:00\"\n";
    /** 10:00 in SystemV/EST5 (UTC-5) and 11:00 in EST5EDT (summer): inside 09:00-17:00 for Java. */
    private static final String IN_WINDOW = "2026-07-27T15:00:00Z";

    private static Decision call(CompiledPolicy policy, String at) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "export_report", JSON.readTree("{}")),
                Identity.ANONYMOUS, Instant.parse(at), new AssumedFacts(0, 0, false)));
    }

    /** What the loader does with the document: refused (as AGT's rule can never match), or a deny as AGT's. */
    private static String loaded(String yaml) throws Exception {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(yaml, "agt.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException e) {
            return "refused at load: " + e.getMessage();
        }
        Decision d = call(policy, IN_WINDOW);
        return d.action() + " by " + d.ruleName();
    }

    @Test
    void aSystemVZoneZoneInfoCannotFindMakesAgtsAllowRuleNeverMatchButTollgateAllowsInTheWindow() throws Exception {
        String result = loaded(DOC);
        assertThat(result).as("AGT 5.0.0 denies export_report at %s (timezone SystemV/EST5: ZoneInfoNotFoundError, the rule"
                + " never matches); Tollgate's loader gave: %s", IN_WINDOW, result)
                .satisfiesAnyOf(r -> assertThat(r).startsWith("refused at load"), r -> assertThat(r).startsWith("DENY"));
    }

    @Test
    void theImportedNativeDocumentAllowsTooWhereAgtDenies() throws Exception {
        ImportResult result = AgtImporter.convert(PolicyLoader.readDocument(DOC));
        boolean converted = result.rules().stream().anyMatch(r -> r instanceof RuleImport.Converted);
        String outcome = "not converted";
        if (converted) {
            String text = NativeDocumentWriter.write(result, "agt.yaml");
            Decision d = call(PolicyLoader.parse(text, "native.yaml", CheckRegistry.withDefaults()), IN_WINDOW);
            outcome = d.action() + " by " + d.ruleName() + " in\n" + text;
        }
        assertThat(outcome).as("AGT 5.0.0 denies export_report at %s (SystemV/EST5 unknown to zoneinfo); `tollgate import-agt`"
                + " wrote a native document that gives: %s", IN_WINDOW, outcome)
                .satisfiesAnyOf(r -> assertThat(r).startsWith("not converted"), r -> assertThat(r).startsWith("DENY"));
    }

    @Test
    void control_anIanaZoneBothKnowAllowsInTheWindowAsAgtDoes() throws Exception {
        assertThat(loaded(DOC.replace("SystemV/EST5", "EST5EDT"))).startsWith("ALLOW by allow-reports-in-hours");
    }
}
