package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Review BI: the regex time guard bounds one search (100,000 characters read on java.util.regex, 16,384 characters on
 * RE2/J), not a decision. AGT's own ATR pack (1,555 patterns, loaded as it is) decides one call with a 16 KB argument
 * made of the pack's own words, one per line, in about 130 ms of the event loop (2-core box, best of 5, JIT warm), and
 * lets it through: no rule matches, none runs out of steps. policy/README.md promises a decision under half a
 * millisecond at p99.9 and "can pass a millisecond" for benign texts holding several alternations' words; an agent (or
 * a poisoned tool description it relays) can pay 130 ms of gateway CPU per call at will, so a dozen such calls a second
 * saturate both cores and stall every other route on them.
 */
class AtrPackStallReviewBITest {

    private static final Path PACK = Path.of(System.getProperty("tollgate.agt.examples", "/work/shared/agt-examples"),
            "examples__atr-community-rules__atr_security_policy.yaml");

    /** The pack's words (letters and _ of 3+, lower-cased), in a fixed shuffled order, one per line, up to ~16,000 chars. */
    static String wordsOfThePack(String yaml) {
        LinkedHashSet<String> words = new LinkedHashSet<>();
        Matcher value = Pattern.compile("value: (.*)").matcher(yaml);
        while (value.find()) {
            Matcher word = Pattern.compile("[A-Za-z_]{3,}").matcher(value.group(1));
            while (word.find()) {
                words.add(word.group().toLowerCase(java.util.Locale.ROOT));
            }
        }
        List<String> list = new ArrayList<>(words);
        Collections.shuffle(list, new Random(16_000));
        StringBuilder text = new StringBuilder();
        for (String w : list) {
            if (text.length() + w.length() + 3 > 16_000) {
                break;
            }
            text.append(w).append('\n');
        }
        return text.toString();
    }

    @Test
    void oneDecisionOfTheAtrPackStaysWithinTensOfMilliseconds() throws Exception {
        String yaml = Files.readString(PACK);
        CompiledPolicy policy = PolicyLoader.parse(yaml, PACK.toString(), CheckRegistry.withDefaults());
        String text = wordsOfThePack(yaml);
        PolicyRequest call = new PolicyRequest(CallDescription.mcpToolCall("r", "summarize",
                new ObjectMapper().valueToTree(Map.of("tool_response", text))), Identity.ANONYMOUS, Instant.now());

        Decision decision = null;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            decision = policy.evaluate(call);
            best = Math.min(best, System.nanoTime() - start);
        }

        // Generous: 50 times the README's "can pass a millisecond", and a hundred times its p99.9.
        assertThat(best / 1_000_000.0).as("fastest of 5 decisions (ms) on " + text.length() + " chars, decided " + decision)
                .isLessThan(50.0);
    }
}
