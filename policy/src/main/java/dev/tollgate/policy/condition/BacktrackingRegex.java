package dev.tollgate.policy.condition;

import dev.tollgate.policy.RegexInputTooLongException;
import dev.tollgate.policy.RegexStepBudgetException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern RE2/J cannot run in linear time (lookaround, backreferences) or cannot run over useful inputs within
 * its scan budget (big counted repetitions), run by java.util.regex with a <em>step budget</em>: the matcher
 * reads the text through {@link StepCountingText}, and a search that reads more than
 * {@link #MAX_REGEX_BACKTRACK_STEPS} characters is abandoned with {@link RegexStepBudgetException}, so its rule
 * denies (fail closed) instead of holding the event loop. Ordinary searches read each character a few times;
 * only an input that makes the pattern backtrack (the catastrophic {@code (\d+)*\.?(\d+)*x} on digits) runs out.
 *
 * <p>Good: {@code https?://(?!api\.github\.com)}, {@code (?i)ignore[^\n]{0,200}instructions}. Costly on
 * hostile input, and then denied: {@code (\d+)*(?=x)}.
 */
public final class BacktrackingRegex implements PolicyRegex {

    /**
     * Characters one search may read, re-reads included. java.util.regex does 4 to 25 ns of work per read once
     * compiled by the JIT (measured over the ATR pack's 1,555 patterns on a shared 2-core box: 4-6 ns for
     * alternations of words, about 20 ns for case-insensitive patterns with {@code .*}; 4 ns for the catastrophic
     * {@code (\d+)*\.?(\d+)*x}), so 100,000 reads is 0.4 ms for most patterns and at worst about 2.5 ms for the
     * heaviest. A benign 1 KiB argument needs at most 42,000 reads on any ATR pattern (most need a few thousand).
     * Between two reads the engine can only try ways of matching nothing, which
     * {@link ZeroWidthPaths#MAX_ZERO_WIDTH_PATHS} bounds at load.
     */
    public static final long MAX_REGEX_BACKTRACK_STEPS = 100_000;

    /**
     * UNIX_LINES: Python's {@code .} excludes only {@code \n} and its {@code (?m)} lines end only at {@code \n}
     * (as RE2's). UNICODE_CASE: Python 3's {@code (?i)} folds every script, not only ASCII.
     */
    private static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CASE;

    private final String source;
    private final Pattern pattern;
    /** What a match starts with, so a search tries only the positions that hold one; null to try every position. */
    private final FirstCharacters starts;

    private BacktrackingRegex(String source, Pattern pattern, FirstCharacters starts) {
        this.source = source;
        this.pattern = pattern;
        this.starts = starts;
    }

    /**
     * Compiles a pattern already in java.util.regex syntax; IllegalArgumentException says what is wrong.
     *
     * @param source the Python pattern it was translated from (parsed here to bound its cost), for messages
     */
    static BacktrackingRegex compile(String javaSyntax, String source) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(javaSyntax, FLAGS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
        // The budget counts characters read; only empty ways to match can multiply work between two reads.
        RegexNode tree = PythonRegexParser.parse(source).orElseThrow(() -> new IllegalArgumentException(
                "regular expression needs backtracking (lookaround, backreference or too large for the linear engine)"
                        + " and uses syntax whose cost cannot be bounded here (conditional group, verbose mode, \\N{...})"));
        long empty = ZeroWidthPaths.worst(tree);
        if (empty > ZeroWidthPaths.MAX_ZERO_WIDTH_PATHS) {
            throw new IllegalArgumentException("regular expression cannot run in bounded time: it can match the empty string "
                    + (empty >= 1L << 40 ? "in more than 2^40" : "in " + empty) + " ways (at most "
                    + ZeroWidthPaths.MAX_ZERO_WIDTH_PATHS + "), each of which a backtracking engine may try without"
                    + " reading a character; nest fewer optional groups");
        }
        return new BacktrackingRegex(source, pattern, hasSupplementary(source) ? null : FirstCharacters.of(tree));
    }

    /**
     * Whether the pattern names a character outside the BMP: java.util.regex then never starts a match between the
     * two halves of a pair, a rule {@link FirstCharacters} does not model, so such a pattern tries every position.
     */
    private static boolean hasSupplementary(String python) {
        return python.contains("\\U") || python.chars().anyMatch(c -> Character.isSurrogate((char) c));
    }

    /**
     * Whether the pattern occurs in the text; {@code $} also matches just before one final line break (see
     * {@link LinearRegex#find}), so both engines answer alike.
     *
     * @throws RegexInputTooLongException when the text is longer than {@link LinearRegex#MAX_REGEX_INPUT_CHARS}
     * @throws RegexStepBudgetException  when the search reads more than {@link #MAX_REGEX_BACKTRACK_STEPS} characters
     */
    @Override
    public boolean find(String text) {
        if (text.length() > LinearRegex.MAX_REGEX_INPUT_CHARS) {
            throw new RegexInputTooLongException(null, text.length(), LinearRegex.MAX_REGEX_INPUT_CHARS);
        }
        // One budget for both searches: the retry must not double what a caller can make a pattern cost. Within a
        // decision, no more than what is left of the decision's budget (RegexDecisionBudget).
        RegexDecisionBudget decision = RegexDecisionBudget.current();
        StepCountingText counted = decision == null ? new StepCountingText(text, MAX_REGEX_BACKTRACK_STEPS)
                : new StepCountingText(text, MAX_REGEX_BACKTRACK_STEPS, decision.left());
        try {
            return starts == null ? findAnywhere(counted, text) : findAtStarts(counted, text);
        } catch (RuntimeException e) {
            if (e == StepCountingText.OVER_BUDGET) {
                throw counted.outOfSharedBudget()
                        ? new RegexStepBudgetException(null, RegexDecisionBudget.MAX_DECISION_STEPS, true)
                        : new RegexStepBudgetException(null, MAX_REGEX_BACKTRACK_STEPS);
            }
            throw e;
        } catch (StackOverflowError e) {
            // Deep recursion in java.util.regex (alternation inside a long repetition) is the same failure: it
            // could not be answered within bounds.
            throw new RegexStepBudgetException(null, MAX_REGEX_BACKTRACK_STEPS);
        } finally {
            if (decision != null) {
                decision.spend(counted.sharedSpent());
            }
        }
    }

    private boolean findAnywhere(StepCountingText counted, String text) {
        Matcher matcher = pattern.matcher(counted);
        if (matcher.find()) {
            return true;
        }
        int trimmed = LinearRegex.withoutFinalLineBreak(text);
        // A region with opaque bounds is the text without its final break, seen exactly as a substring would be.
        return trimmed < text.length() && matcher.reset().region(0, trimmed).find();
    }

    /**
     * The same answer as {@link #findAnywhere}, trying a match only where one can start: {@code find()} is a
     * match attempt at each position in turn, and an attempt at a position whose character no match starts with
     * fails. Each attempt is {@code lookingAt} on a region from that position, with transparent bounds (lookbehind
     * and {@code \b} still see the text before it) and without anchoring bounds ({@code ^} still means the start
     * of the text). Skipped attempts read nothing, so the budget is spent only on positions that could match.
     */
    private boolean findAtStarts(StepCountingText counted, String text) {
        Matcher matcher = pattern.matcher(counted).useTransparentBounds(true).useAnchoringBounds(false);
        if (attempts(counted, matcher, text, text.length())) {
            return true;
        }
        int trimmed = LinearRegex.withoutFinalLineBreak(text);
        if (trimmed == text.length()) {
            return false;
        }
        // The text without its final break, as a substring: nothing after it is visible, even to lookahead.
        counted.endAt(trimmed);
        matcher.reset(counted);
        return attempts(counted, matcher, text, trimmed);
    }

    private boolean attempts(StepCountingText counted, Matcher matcher, String text, int end) {
        for (int i = 0; i < end; i++) {
            // Each position examined is work too, outside the matcher's reads: counted against the decision's budget (a
            // document of many patterns examining every position of a long text was the bulk of a decision's time).
            counted.position();
            if (starts.admits(text, i, end) && matcher.region(i, end).lookingAt()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int maxInputChars() {
        return LinearRegex.MAX_REGEX_INPUT_CHARS;
    }

    @Override
    public String toString() {
        return source;
    }
}
