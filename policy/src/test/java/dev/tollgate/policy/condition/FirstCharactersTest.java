package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.BenignText;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.CompiledRule;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.RegexStepBudgetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A step-budgeted search that tries only the positions a match can start at ({@link FirstCharacters}) answers
 * exactly as java.util.regex's {@code find()} over every position, with the same translation and flags:
 * case-insensitive partners (the Kelvin sign, the long s), Unicode digits and spaces, alternations, lookbehind
 * before the start, {@code ^} and {@code $}, and {@code \b} next to letters of other scripts.
 */
class FirstCharactersTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("tollgate.agt.examples", "/work/shared/agt-examples"));

    @Test
    void admitsEveryCharacterAMatchCanStartWith() {
        FirstCharacters kill = FirstCharacters.of(PythonRegexParser.parse("(?i)\\bkill|\\d+x").orElseThrow());
        for (char c : "kK\u212a0\u0663".toCharArray()) {
            assertThat(kill.admits(c)).as("U+%04X", (int) c).isTrue();
        }
        assertThat(kill.admits('x')).isFalse();
        assertThat(kill.admits(' ')).isFalse();
        FirstCharacters braille = FirstCharacters.of(PythonRegexParser.parse("[\\u2800-\\u28FF]{2}").orElseThrow());
        assertThat(braille.admits('\u2801')).isTrue();
        assertThat(braille.admits('a')).isFalse();
    }

    @Test
    void noFilterWhenAMatchCanBeEmptyOrStartWithAnything() {
        for (String pattern : List.of("a*", "(?:foo)?", ".oo", "\\wfoo", "[^a]b", "(a)?\\1x", "(?=x)", "(?:abc|)")) {
            assertThat(FirstCharacters.of(PythonRegexParser.parse(pattern).orElseThrow())).as(pattern).isNull();
        }
    }

    @Test
    void aWordBoundaryFirstSkipsPositionsAfterAWordCharacter() {
        FirstCharacters you = FirstCharacters.of(PythonRegexParser.parse("(?i)\\b(you|become)\\s").orElseThrow());
        assertThat(you.admits("be you", 3, 6)).isTrue();
        assertThat(you.admits("beyou", 2, 5)).isFalse();
        assertThat(you.admits("\u00e9you", 1, 4)).as("after a non-ASCII letter").isFalse();
        assertThat(you.admits("\u0663you", 1, 4)).as("after a digit of another script").isFalse();
        assertThat(you.admits("_you", 1, 4)).isFalse();
        assertThat(you.admits("\ud83d\ude00you", 2, 5)).as("after a surrogate pair: tried").isTrue();
        assertThat(you.admits("you", 0, 3)).isTrue();
        // Not a word character first: no such rule.
        FirstCharacters dash = FirstCharacters.of(PythonRegexParser.parse("\\b-x").orElseThrow());
        assertThat(dash.admits("a-x", 1, 3)).isTrue();
    }

    @Test
    void whenEveryMatchStartsWithOneOfFewPairsOnlyThosePositionsAreTried() {
        FirstCharacters you = FirstCharacters.of(PythonRegexParser.parse("(?i)\\b(you\\s+are|be(?:come)?|s[wt]\\w)").orElseThrow());
        assertThat(you.admits("YOu", 0, 3)).isTrue();
        assertThat(you.admits("yak", 0, 3)).isFalse();
        assertThat(you.admits("\u017ftop", 0, 4)).as("the long s is an s").isTrue();
        assertThat(you.admits("sx", 0, 2)).isFalse();
        assertThat(you.admits("y", 0, 1)).as("no room for a pair").isFalse();
        assertThat(you.admits("you", 0, 1)).as("the text ends before the pair").isFalse();
        assertThat(FirstPairs.of(PythonRegexParser.parse("(?i)kill").orElseThrow())).containsExactly('k' << 16 | 'i');
        assertThat(FirstPairs.of(PythonRegexParser.parse("a{2,}").orElseThrow())).containsExactly('a' << 16 | 'a');
        assertThat(FirstPairs.of(PythonRegexParser.parse("ab?").orElseThrow())).as("a match of one character").isNull();
        assertThat(FirstPairs.of(PythonRegexParser.parse("a.").orElseThrow())).isNull();
        assertThat(FirstPairs.of(PythonRegexParser.parse("\\d\\d").orElseThrow())).as("digits of other scripts").isNull();
    }

    @Test
    void whatFoldsToAnAsciiWordCharacterIsAWordCharacter() {
        // The \b rule relies on it: a text character matching a word-character literal is itself a word character.
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            char folded = CaseFold.fold((char) c);
            boolean asciiWord = folded == '0' || folded == '_' || (folded >= 'a' && folded <= 'z');
            if (asciiWord) {
                assertThat(FirstCharacters.isWordChar((char) c)).as("U+%04X", c).isTrue();
            }
        }
    }

    @Test
    void answersAsAFindOverEveryPosition() {
        List<String> patterns = List.of("(?i)\\bkill\\s+all", "(?<=a)bc", "(?<![a-z])foo", "^foo", "(?m)^foo", "foo$",
                "(?i)stra\u00dfe", "(?i)\u03c3\u03bf\u03c6", "(?i)\\b(you\\s+are|become)\\s+(a|the)?\\s*[a-z]+", "\\d{3}-\\d{2}",
                "(?i)ignore\\s+(?:all\\s+)?previous(?=\\s)", "(?:\\bnow|later)\\b", "[\\u2800-\\u28FF]{2,}", "x\\Z", "\\Aab");
        List<String> texts = List.of("", "kill all", "s\u212aILL\u00a0ALL", "\u00e9kill all", "skill all", "abc", "xbc", "afoo",
                "foo", "x\nfoo", "foo\n", "foo\nbar", "STRASSE", "STRA\u00dfE", "\u03a3\u039f\u03a6", "\u03c2\u03bf\u03c6",
                "then YOU ARE the boss", "they_become a", "\u0663\u0663\u0663-\u0663\u0663", "IGNORE all PREVIOUS\u2003x",
                "nowhere now!", "\u00e9now", "\u2801\u2802", "ax\n", "x\n", "ab", "cab");
        int checked = 0;
        for (String pattern : patterns) {
            String core = PythonRegexParser.searchCore(pattern);
            BacktrackingRegex regex = BacktrackingRegex.compile(PythonRegex.translate(core, PythonRegex.Dialect.JAVA), core);
            Pattern reference = Pattern.compile(PythonRegex.translate(core, PythonRegex.Dialect.JAVA), Pattern.UNIX_LINES | Pattern.UNICODE_CASE);
            for (String text : texts) {
                for (String t : List.of(text, "pre " + text, text + " post", "\u00e9" + text)) {
                    assertThat(regex.find(t)).as("%s on %s", pattern, t).isEqualTo(findAnywhere(reference, t));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(1_000);
    }

    @Test
    void answersAsAFindOverEveryPositionForEveryAgtExamplePattern() throws Exception {
        SplittableRandom random = new SplittableRandom(41);
        int matched = 0;
        int checked = 0;
        for (String pattern : examplePatterns()) {
            String core = PythonRegexParser.searchCore(pattern);
            BacktrackingRegex regex;
            try {
                regex = BacktrackingRegex.compile(PythonRegex.translate(core, PythonRegex.Dialect.JAVA), core);
            } catch (IllegalArgumentException notBounded) {
                continue;
            }
            Pattern reference = Pattern.compile(PythonRegex.translate(core, PythonRegex.Dialect.JAVA), Pattern.UNIX_LINES | Pattern.UNICODE_CASE);
            RegexNode tree = PythonRegexParser.parse(core).orElse(null);
            for (int sample = 0; sample < 6; sample++) {
                String piece = tree == null ? "" : LiteralPrefilterExactnessTest.generate(tree, random);
                String text = switch (sample) {
                    case 0 -> piece;
                    case 1 -> BenignText.prose(120, sample) + piece + " " + BenignText.prose(60, sample + 1);
                    case 2 -> "x" + piece + "\n";
                    case 3 -> "\u00e9" + piece + "\u00e9";
                    case 4 -> BenignText.json(300, sample) + " " + piece;
                    default -> "_" + piece;
                };
                boolean expected;
                try {
                    expected = findAnywhere(reference, text);
                } catch (StackOverflowError tooDeep) {
                    continue;
                }
                try {
                    assertThat(regex.find(text)).as("%s on %s", pattern, text).isEqualTo(expected);
                } catch (RegexStepBudgetException outOfSteps) {
                    continue;
                }
                checked++;
                matched += expected ? 1 : 0;
            }
        }
        assertThat(checked).isGreaterThan(5_000);
        assertThat(matched).as("the generated texts do match, so the property is exercised").isGreaterThan(2_000);
    }

    /** java.util.regex's find() over every position, and again without one final line break (as both engines search). */
    private static boolean findAnywhere(Pattern pattern, String text) {
        if (pattern.matcher(text).find()) {
            return true;
        }
        int trimmed = LinearRegex.withoutFinalLineBreak(text);
        return trimmed < text.length() && pattern.matcher(text.substring(0, trimmed)).find();
    }

    /** Every {@code matches} pattern of AGT's example documents that load (the ATR pack's 1,555 among them). */
    private static List<String> examplePatterns() throws Exception {
        List<String> patterns = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.contains("shared-policies") || name.contains("atr_community_policy_full")) {
                    continue; // the three AGT refuses too; the second ATR file is identical to the first
                }
                CompiledPolicy policy = PolicyLoader.parse(Files.readString(f, StandardCharsets.UTF_8), f.toString(), CheckRegistry.withDefaults());
                for (CompiledRule rule : policy.rules()) {
                    if (rule.condition() instanceof AgtCondition agt && agt.regex() != null) {
                        patterns.add(PythonValues.str(agt.value()));
                    }
                }
            }
        }
        return patterns;
    }
}
