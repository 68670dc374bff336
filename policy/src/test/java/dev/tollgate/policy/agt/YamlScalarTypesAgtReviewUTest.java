package dev.tollgate.policy.agt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.AssumedFacts;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Review U, finding 2 (MEDIUM, AGT denies and Tollgate allows): plain YAML scalars are typed by YAML 1.1 (PyYAML) in
 * AGT and otherwise by Tollgate's parser, so an operand is a different value. Already known: the AGT differential's
 * deviations.yaml lists it as a bug ({@code yaml-1-1-scalars}, for {@code eq} on 1e3, 1:30 and a date); these cases add
 * the ordering ({@code lt}) and {@code ne} forms, where the allowed call is the one an author most likely meant to stop.
 *
 * <p><b>AGT 4.1.0.</b> {@code PolicyDocument.from_yaml} uses {@code yaml.safe_load} (schema.py line 150, v4.1.0,
 * commit 0de71ca6c9) and keeps {@code value} as parsed ({@code value: Any}, schema.py line 49). PyYAML's resolver
 * (YAML 1.1) reads: {@code 1e4}, {@code 1.5e3}, {@code 1e-3}, {@code +.5}, {@code -.5} as <b>strings</b> (a float
 * needs a dot and a signed exponent); {@code 2024-10-21} as a {@code datetime.date} (and
 * {@code 2024-10-21 10:00:00} a datetime); {@code 1:30} as the integer 90 (base 60); {@code .inf}/{@code .nan} as
 * floats. Then {@code _match_condition} (evaluator.py lines 368-387) compares: {@code 50 < "1e4"} and
 * {@code "2025-01-01" < date(2024,10,21)} raise TypeError and the whole call is denied (evaluator.py lines
 * 280-297, fail closed); {@code "2024-10-21" != date(2024,10,21)} is True.
 *
 * <p><b>Tollgate.</b> jackson-dataformat-yaml reads {@code 1e4}, {@code 1.5e3}, {@code 1e-3}, {@code +.5},
 * {@code -.5} as numbers, dates and {@code 1:30} as strings, and refuses {@code .inf}. So the allow rule
 * {@code amount lt 1e4} allows 50, the deny rule {@code api_version lt 2024-10-21} compares text and lets
 * "2025-01-01" through, and the deny rule {@code api_version ne 2024-10-21} does not match the pinned version.
 *
 * <p><b>Fix.</b> In {@code AgtDocumentLoader} (and the importer), read an AGT document's plain scalars with
 * PyYAML's YAML 1.1 resolver: re-type every plain (untagged, unquoted) scalar the way PyYAML's implicit resolvers do
 * (Jackson's {@code YAMLParser} tells plain from quoted via {@code getCurrentToken}/ the SnakeYAML event's
 * {@code ScalarStyle}); a scalar that PyYAML reads as a date or timestamp has no JSON value, so the simplest exact
 * form is to refuse it at load with the line ("quote it: AGT reads it as a date"), and to read {@code 1e4}-like
 * scalars as the strings PyYAML reads (or refuse them: "AGT reads 1e4 as a string; write 10000 or 1.0e+4").
 */
class YamlScalarTypesAgtReviewUTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The decision, or null when Tollgate refuses the document (fail closed, which would also fix the bypass). */
    private static Decision decide(String yaml, String tool, String arguments) throws Exception {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(yaml, "review-u.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            return null;
        }
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree(arguments)),
                Identity.ANONYMOUS, NOW, new AssumedFacts(0, 0, false)));
    }

    private static void assertDenied(Decision decision) {
        if (decision != null) {
            assertThat(decision.action()).isEqualTo(Action.DENY);
        }
    }

    /** AGT: 50 &lt; "1e4" is a TypeError: the call is denied. Tollgate: 50 &lt; 10000.0: allowed. */
    @Test
    void anExponentWithoutADotIsAStringToAgt() throws Exception {
        String agt = """
                version: "1.0"
                name: yaml11
                defaults: {action: deny}
                rules:
                  - name: allow-small-transfers
                    condition: {field: amount, operator: lt, value: 1e4}
                    action: allow
                    priority: 10
                """;

        assertDenied(decide(agt, "transfer", "{\"amount\": 50}"));
    }

    /** AGT: "2025-01-01" &lt; date(2024, 10, 21) is a TypeError: denied. Tollgate: text order, no match: allowed. */
    @Test
    void aDateIsADateToAgt() throws Exception {
        String agt = """
                version: "1.0"
                name: yaml11
                defaults: {action: allow}
                rules:
                  - name: block-retired-api-versions
                    condition: {field: api_version, operator: lt, value: 2024-10-21}
                    action: deny
                    priority: 10
                """;

        assertDenied(decide(agt, "call", "{\"api_version\": \"2025-01-01\"}"));
    }

    /** AGT: "2024-10-21" != date(2024, 10, 21) holds (no exception): denied by the rule. Tollgate: equal text: allowed. */
    @Test
    void aStringIsNeverEqualToAnAgtDate() throws Exception {
        String agt = """
                version: "1.0"
                name: yaml11
                defaults: {action: allow}
                rules:
                  - name: only-the-pinned-api-version
                    condition: {field: api_version, operator: ne, value: 2024-10-21}
                    action: deny
                    priority: 10
                """;

        Decision decision = decide(agt, "call", "{\"api_version\": \"2024-10-21\"}");
        assertDenied(decision);
        if (decision != null) {
            assertThat(decision.ruleName()).isEqualTo("only-the-pinned-api-version");
        }
    }
}
