package dev.tollgate.policy.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BR: a rate-limit key value over 128 characters keys as its SHA-256, taken over its UTF-8 bytes; getBytes wrote an
 * unpaired surrogate as '?', so "x…\uD800" and "x…?" were one bucket. Such a value is refused (the rule fails closed).
 */
class RateLimitKeyLoneSurrogateTest {

    private static final Identity ACME = new Identity(null, "acme", "planner", "run-1", "user-1", null, "tree-1", List.of(), null);

    @Test
    void theDigestOfAValueWithAnUnpairedSurrogateIsRefusedAndOfTextIsUnchanged() throws Exception {
        String text = "t".repeat(200) + "?\u00e9\uD83D\uDE00";
        assertThat(RateLimitCheck.sha256(text)).isEqualTo("sha256:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))));
        for (String lone : List.of("t".repeat(200) + "\uD800", "\uDFFF" + "t".repeat(200), "t".repeat(200) + "\uDE00\uD83D")) {
            assertThatThrownBy(() -> RateLimitCheck.sha256(lone)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired");
        }
    }

    @Test
    void aLongToolNameWithAnUnpairedSurrogateIsNotTheQuestionMarkNamesBucketButDeniedFailClosed() throws Exception {
        CompiledPolicy p = PolicyLoader.parse("name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - {name: slow, condition: {check: {name: rate_limit, args: {rate: 30, period: 1m, per: [tool]}}}, action: deny}\n",
                "p.yaml", CheckRegistry.withDefaults());
        List<String> keys = new ArrayList<>();
        CallFacts facts = new CallFacts() {
            @Override
            public boolean overBudget(String rule, long limitMicros) {
                return false;
            }

            @Override
            public boolean rateLimited(String rule, String key, double perSecond, long burst) {
                keys.add(key);
                return false;
            }
        };
        String prefix = "t".repeat(200);

        Decision question = p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", prefix + "?", null), ACME, Instant.now(), facts));
        Decision lone = p.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", prefix + "\uD800", null), ACME, Instant.now(), facts));

        assertThat(question.action()).isEqualTo(Action.ALLOW);
        assertThat(lone.action()).isEqualTo(Action.DENY);
        assertThat(lone.ruleName()).isEqualTo("slow");
        assertThat(keys).hasSize(1).allMatch(k -> k.startsWith("p|slow|0|sha256:"));
    }
}
