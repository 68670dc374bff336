package dev.tollgate.policy.condition;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.tollgate.policy.RegexInputTooLongException;

/**
 * A {@code matches} pattern, run by RE2/J: time linear in the text whatever the pattern, so no argument can
 * make a condition backtrack on the event loop (java.util.regex takes exponential time on
 * {@code (\d+)*\.?(\d+)*x} against a few thousand digits). Patterns RE2 cannot run in linear time
 * (backreferences, lookaround) are refused at load. Linear is still proportional to the text, so a value
 * longer than {@link #MAX_REGEX_INPUT_CHARS} is not scanned at all: the search throws
 * {@link RegexInputTooLongException} and the rule denies, fail closed.
 *
 * <p>Good: {@code ^[a-z0-9_-]{1,64}$}, {@code (?i)\bdrop\s+table\b}. Refused: {@code (a+)\1}, {@code ^(?!admin)}.
 */
public final class LinearRegex {

    /**
     * The most characters one {@code matches} condition scans. RE2/J's worst measured case (a nested,
     * alternating pattern on text that keeps every state alive) runs at about 80-100 chars per microsecond
     * on one core, so this keeps one search near a millisecond; ordinary patterns are faster still.
     */
    public static final int MAX_REGEX_INPUT_CHARS = 65_536;

    private final String source;
    private final Pattern pattern;

    private LinearRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Compiles at load; IllegalArgumentException says what is wrong (reported with the file and line). */
    public static LinearRegex compile(String source) {
        try {
            return new LinearRegex(source, Pattern.compile(source));
        } catch (PatternSyntaxException e) {
            if (javaAccepts(source)) {
                throw new IllegalArgumentException("regular expression uses a feature that cannot run in linear time"
                        + " (backreference/lookaround) or is not RE2 syntax: " + e.getDescription()
                        + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : " at " + e.getPattern()));
            }
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription()
                    + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : " at " + e.getPattern()));
        }
    }

    /** Load-time only, to tell "valid but not linear" from "not a regular expression" in the message. */
    private static boolean javaAccepts(String source) {
        try {
            java.util.regex.Pattern.compile(source);
            return true;
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;
        }
    }

    /**
     * Whether the pattern occurs anywhere in the text.
     *
     * @throws RegexInputTooLongException when the text is longer than {@link #MAX_REGEX_INPUT_CHARS}
     */
    public boolean find(String text) {
        if (text.length() > MAX_REGEX_INPUT_CHARS) {
            throw new RegexInputTooLongException(null, text.length(), MAX_REGEX_INPUT_CHARS);
        }
        return pattern.matcher(text).find();
    }

    @Override
    public String toString() {
        return source;
    }
}
