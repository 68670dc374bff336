package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The literal check of native {@code matches} patterns never changes an answer: for every pattern and text, the
 * search with the check answers as the search without it. It only saves RE2/J runs on texts that lack what
 * every match must contain.
 */
class LiteralCheckTest {

    private static final List<String> PATTERNS = List.of(
            "^forbidden-7-[a-z]+$", "\\bdrop\\s+table_12\\b", "(?i)\\bdrop\\s+table\\b", "\\brm\\s+-[a-z]*[rf]",
            "secret|token", "(?i)kelvin", "(?i)K", "a{,3}b", "[A-Z]+-\\d+", "(?s)begin.*end", "(?i:ab)c", "\\.env$",
            "x\\ny", "^/etc/(passwd|shadow)", "[a-z]_secret_key", "(?i)[xyz]ab", "pre(fix|fax)", "(?i)(delete|remove)\\s+(all|every)", "é+t", "(?i)straße", "\\x41BC",
            "[[:alpha:]]+ok", "\\pL+id", "\\Qa.b\\E", "(a|b)c", "café", "^$", "x*");
    private static final List<String> WORDS = List.of("forbidden-7-abc", "drop table_12", "DROP  Table", "rm -rf /",
            "secret", "TOKEN", "\u212Aelvin", "KELVIN", "aab", "ABC-12", "begin\nend", "ABc", "abC", ".env", "x\ny",
            "/etc/passwd", "Delete ALL", "remove every", "éét", "STRASSE", "straße", "ABC", "alpha ok", "xid", "a.b",
            "bc", "café", "CAFÉ", "", "hello", "\n", "line\n", "q_secret_key", "_secret_key", "XAB", "prefix", "prefax",
            "forbidden-7-");

    @Test
    void theCheckNeverChangesAnAnswer() {
        Random random = new Random(42);
        List<String> texts = new ArrayList<>(WORDS);
        for (int i = 0; i < 400; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = random.nextInt(4); w >= 0; w--) {
                String word = WORDS.get(random.nextInt(WORDS.size()));
                text.append(random.nextBoolean() ? word.toUpperCase() : word).append(random.nextBoolean() ? " " : "");
            }
            texts.add(random.nextInt(5) == 0 ? text + "\n" : text.toString());
        }
        for (String pattern : PATTERNS) {
            LinearRegex checked = LinearRegex.compile(pattern);
            LinearRegex unchecked = LinearRegex.compileWithoutLiteralCheck(pattern);
            for (String text : texts) {
                assertThat(checked.find(text)).as("/%s/ on %s", pattern, text).isEqualTo(unchecked.find(text));
            }
        }
    }

    @Test
    void aTextWithoutTheRequiredLiteralIsRuledOutWithoutRunningThePattern() {
        LiteralCheck check = LiteralCheck.forNativePattern("^forbidden-7-[a-z]+$");
        assertThat(check).isNotNull();
        assertThat(check.mayMatch("hello")).isFalse();
        assertThat(check.mayMatch("FORBIDDEN-7-x")).as("folded: a weaker test, never a wrong one").isTrue();
        assertThat(LiteralCheck.forNativePattern("(?i)\\bdrop\\s+table\\b").mayMatch("Drop TABLE x")).isTrue();
    }

    /** A character class expands into one literal per character: the check tests what they share, once. */
    @Test
    void literalsSharingAPrefixOrSuffixAreTestedByWhatTheyShare() {
        LiteralCheck prefixed = LiteralCheck.forNativePattern("^forbidden-7-[a-z]+$");
        LiteralCheck suffixed = LiteralCheck.forNativePattern("[a-z]_secret_key");
        LiteralCheck unrelated = LiteralCheck.forNativePattern("cat|dog");

        assertThat(prefixed.mayMatch("forbidden-7-")).as("a weaker test: the pattern itself then decides").isTrue();
        assertThat(prefixed.mayMatch("forbidden-x-abc")).isFalse();
        assertThat(suffixed.mayMatch("_secret_key")).isTrue();
        assertThat(suffixed.mayMatch("secret key")).isFalse();
        assertThat(unrelated.mayMatch("a dog")).isTrue();
        assertThat(unrelated.mayMatch("a cow")).as("nothing shared: each literal is still tested").isFalse();
        assertThat(LinearRegex.compile("^forbidden-7-[a-z]+$").find("forbidden-7-")).isFalse();
    }

    @Test
    void re2OnlySyntaxAndPatternsWithoutLiteralsGetNoCheck() {
        assertThat(LiteralCheck.forNativePattern("\\pL+id")).isNull();
        assertThat(LiteralCheck.forNativePattern("\\Qa.b\\E")).isNull();
        assertThat(LiteralCheck.forNativePattern("[[:alpha:]]+ok")).isNull();
        assertThat(LiteralCheck.forNativePattern("x*")).isNull();
        assertThat(LiteralCheck.forNativePattern(".*")).isNull();
    }
}
