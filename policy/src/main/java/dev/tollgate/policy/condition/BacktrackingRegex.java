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
     * Characters one search may read, re-reads included. A read costs about 4 ns in java.util.regex's matching
     * loop (200,000 reads of the catastrophic patterns took 0.8-0.9 ms at best on a shared 2-core box), so
     * 150,000 is about 0.6 ms, a millisecond when the box is loaded. A benign search reads each character of
     * the text a few times, so ordinary arguments stay far inside it.
     */
    public static final long MAX_REGEX_BACKTRACK_STEPS = 150_000;

    /**
     * UNIX_LINES: Python's {@code .} excludes only {@code \n} and its {@code (?m)} lines end only at {@code \n}
     * (as RE2's). UNICODE_CASE: Python 3's {@code (?i)} folds every script, not only ASCII.
     */
    private static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CASE;

    private final String source;
    private final Pattern pattern;

    private BacktrackingRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /**
     * Compiles a pattern already in java.util.regex syntax; IllegalArgumentException says what is wrong.
     *
     * @param source the pattern as written in the document, for messages
     */
    static BacktrackingRegex compile(String javaSyntax, String source) {
        try {
            return new BacktrackingRegex(source, Pattern.compile(javaSyntax, FLAGS));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
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
        // One budget for both searches: the retry must not double what a caller can make a pattern cost.
        StepCountingText counted = new StepCountingText(text, MAX_REGEX_BACKTRACK_STEPS);
        try {
            Matcher matcher = pattern.matcher(counted);
            if (matcher.find()) {
                return true;
            }
            int trimmed = LinearRegex.withoutFinalLineBreak(text);
            // A region with opaque bounds is the text without its final break, seen exactly as a substring would be.
            return trimmed < text.length() && matcher.reset().region(0, trimmed).find();
        } catch (RuntimeException e) {
            if (e == StepCountingText.OVER_BUDGET) {
                throw new RegexStepBudgetException(null, MAX_REGEX_BACKTRACK_STEPS);
            }
            throw e;
        } catch (StackOverflowError e) {
            // Deep recursion in java.util.regex (alternation inside a long repetition) is the same failure: it
            // could not be answered within bounds.
            throw new RegexStepBudgetException(null, MAX_REGEX_BACKTRACK_STEPS);
        }
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
