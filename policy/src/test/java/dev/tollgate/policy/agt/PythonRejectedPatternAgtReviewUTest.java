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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review U, finding 8 (MEDIUM, AGT denies and Tollgate allows): patterns Python's {@code re} refuses (or reads
 * differently) load in Tollgate and run with Java/RE2 meaning.
 *
 * <p><b>AGT 4.1.0.</b> {@code re.search(str(target), str(ctx_value))} (evaluator.py line 387, v4.1.0, commit
 * 0de71ca6c9) compiles the pattern on every evaluation; when it raises {@code re.error} the exception reaches
 * {@code _evaluate_flat}'s {@code except Exception} (evaluator.py lines 280-297) and the call is denied, fail closed:
 * every call in which the field is present and the rule is reached. Python 3.11 refuses: {@code secret\z} ("bad escape
 * \z"; {@code \z} exists only from Python 3.14), {@code (?<=token=|apikey=)\w+} ("look-behind requires fixed-width
 * pattern": the alternatives differ in width), {@code password(?i)} ("global flags not at the start of the
 * expression"), {@code x{2}{3}} ("multiple repeat"), {@code \Qa.b\E} ("bad escape \Q"), {@code (?-i)a} ("missing :").
 * (Related, not tested here: {@code [[:alpha:]]} is no POSIX class in Python but the set {@code [[:alph]} followed by
 * a literal {@code ]}; Tollgate's RE2/J path finds it in "a", Python does not: stricter in a deny rule.)
 *
 * <p><b>Tollgate.</b> The README promises "a {@code matches} pattern that does not compile: ... load error"; these load
 * and run with the meaning Java or RE2 gives them ({@code \z} end of text, Java's bounded-alternation lookbehind, a
 * scoped flag from that point on, a double repeat, a quoted literal), so a call AGT denies is allowed.
 *
 * <p><b>Fix.</b> In {@code PythonRegexParser}, refuse what {@code sre_parse} refuses (bad escapes other than Python's:
 * {@code \z}, {@code \Q}, {@code \E}, {@code \h}..., global flags after the start, {@code (?-flags)} without a colon, a
 * repeat of a repeat, lookbehind alternatives of unequal width), with the line.
 */
class PythonRejectedPatternAgtReviewUTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Decision decide(String yaml, String tool, String arguments) throws Exception {
        CompiledPolicy policy;
        try {
            policy = PolicyLoader.parse(yaml, "review-u.yaml", CheckRegistry.withDefaults());
        } catch (PolicyException refused) {
            return null; // refused at load, as the README promises for patterns Python cannot compile: fixed
        }
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", tool, JSON.readTree(arguments)),
                Identity.ANONYMOUS, NOW, new AssumedFacts(0, 0, false)));
    }

    /** AGT: re.error on the call, which has the field: denied. Tollgate today: the pattern does not match "hello": allowed. */
    @ParameterizedTest
    @ValueSource(strings = {"secret\\\\z", "(?<=token=|apikey=)\\\\w+", "password(?i)", "x{2}{3}", "x*{2}", "x{2}*", "a{,}{2}", "x{2}?{3}", "\\\\Qa.b\\\\E", "(?-i)DROP TABLE"})
    void aPatternPythonRefusesDeniesOrIsRefused(String pattern) throws Exception {
        String agt = """
                version: "1.0"
                name: p
                defaults: {action: allow}
                rules:
                  - name: r
                    condition: {field: text, operator: matches, value: "%s"}
                    action: deny
                """.formatted(pattern);

        Decision decision = decide(agt, "t", "{\"text\": \"hello\"}");

        if (decision != null) {
            assertThat(decision.action()).isEqualTo(Action.DENY);
        }
    }
}
