package dev.tollgate.policy.condition;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.tollgate.policy.RegexInputTooLongException;

/**
 * A {@code matches} pattern, run by RE2/J: time linear in the text whatever the pattern, so no argument can
 * make a condition backtrack on the event loop (java.util.regex takes exponential time on
 * {@code (\d+)*\.?(\d+)*x} against a few thousand digits). Patterns RE2 cannot run in linear time
 * (backreferences, lookaround) are refused at load. Linear is still proportional to the text (and to the
 * pattern's size), so a value longer than {@link #maxInputChars()} is not scanned at all: the search throws
 * {@link RegexInputTooLongException} and the rule denies, fail closed.
 *
 * <p>Good: {@code ^[a-z0-9_-]{1,64}$}, {@code (?i)\bdrop\s+table\b}. Refused: {@code (a+)\1}, {@code ^(?!admin)}.
 */
public final class LinearRegex implements PolicyRegex {

    /**
     * The most characters any {@code matches} condition scans, whatever its pattern. RE2/J's simulation costs
     * about 6.5 ns per character per instruction of the compiled pattern when every state stays alive (the
     * worst case; measured on a loaded 2-core box), so patterns of up to ~10 instructions stay under about a
     * millisecond here; bigger patterns get less, see {@link #MAX_REGEX_SCAN_STEPS}.
     */
    public static final int MAX_REGEX_INPUT_CHARS = 16_384;

    /**
     * Budget of one search, in characters × instructions of the compiled pattern (~6.5 ns each at worst,
     * so about a millisecond): a pattern of {@code p} instructions scans at most
     * {@code min(MAX_REGEX_INPUT_CHARS, MAX_REGEX_SCAN_STEPS / p)} characters. {@code (\d+)*\.?(\d+)*x}
     * (15 instructions) scans up to 10,666; {@code .{100}x} (103) up to 1,553.
     */
    public static final long MAX_REGEX_SCAN_STEPS = 160_000;

    /** Below this many characters a pattern would be useless on ordinary arguments: such a pattern is refused at load. */
    static final int MIN_REGEX_INPUT_CHARS = 256;

    private final String source;
    private final Pattern pattern;
    private final int maxInputChars;
    /** What every match must contain, tested before RE2/J runs; null when nothing is known (the pattern always runs). */
    private final LiteralCheck literals;

    private LinearRegex(String source, Pattern pattern, boolean literalCheck) {
        this.source = source;
        this.pattern = pattern;
        this.literals = literalCheck ? LiteralCheck.forNativePattern(source) : null;
        this.maxInputChars = (int) Math.min(MAX_REGEX_INPUT_CHARS, MAX_REGEX_SCAN_STEPS / Math.max(1, pattern.programSize()));
    }

    /**
     * Compiles a native policy's pattern at load, with a literal check before each search;
     * IllegalArgumentException says what is wrong (reported with the file and line).
     */
    public static LinearRegex compile(String source) {
        return compile(source, true);
    }

    /** For patterns translated from AGT's dialect: their document's literal prefilter already rules them out. */
    static LinearRegex compileWithoutLiteralCheck(String source) {
        return compile(source, false);
    }

    private static LinearRegex compile(String source, boolean literalCheck) {
        if (source.contains("&&[")) {
            // RE2 reads [a-z&&[^x]] as a plain class of a-z, '&', '[', '^', 'x': silently not what Java meant.
            throw new IllegalArgumentException("regular expression uses Java's character-class intersection (&&[...]),"
                    + " which is not RE2 syntax: list the characters instead");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            String at = e.getPattern() == null || e.getPattern().isEmpty() ? "" : " at " + e.getPattern();
            if (javaAccepts(source)) {
                throw new IllegalArgumentException("regular expression uses a feature that cannot run in linear time"
                        + " (backreference/lookaround) or is not RE2 syntax: " + e.getDescription() + at);
            }
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription() + at);
        }
        LinearRegex regex = new LinearRegex(source, pattern, literalCheck);
        if (regex.maxInputChars < MIN_REGEX_INPUT_CHARS) {
            throw new IllegalArgumentException("regular expression is too large to run in bounded time: it compiles to "
                    + pattern.programSize() + " instructions, so it could scan only " + regex.maxInputChars
                    + " characters (at most " + MAX_REGEX_SCAN_STEPS / MIN_REGEX_INPUT_CHARS
                    + " instructions; large counted repetitions such as {1000} cost one instruction per repeat)");
        }
        return regex;
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
     * Whether the pattern occurs anywhere in the text. {@code $} also matches just before one final line
     * break, as in java.util.regex and Python's {@code re} (AGT's engine): RE2's {@code $} matches only at the
     * very end, and a deny rule anchored with {@code $} would otherwise miss {@code "rm -rf /\n"}, a value an
     * upstream shell runs all the same. So a text ending in a line break is also searched without it.
     *
     * @throws RegexInputTooLongException when the text is longer than {@link #maxInputChars()}
     */
    @Override
    public boolean find(String text) {
        if (text.length() > maxInputChars) {
            throw new RegexInputTooLongException(null, text.length(), maxInputChars);
        }
        // The limit first: a text too long to scan denies whatever it holds, as before there was a literal check.
        if (literals != null && !literals.mayMatch(text)) {
            return false;
        }
        if (pattern.matcher(text).find()) {
            return true;
        }
        int trimmed = withoutFinalLineBreak(text);
        return trimmed < text.length() && pattern.matcher(text.substring(0, trimmed)).find();
    }

    /** Length of the text without one final line terminator (\n, \r\n, \r, U+0085, U+2028, U+2029), as Java's {@code $} sees it. */
    static int withoutFinalLineBreak(String text) {
        int n = text.length();
        if (n == 0) {
            return 0;
        }
        char last = text.charAt(n - 1);
        if (last == '\n') {
            return n >= 2 && text.charAt(n - 2) == '\r' ? n - 2 : n - 1;
        }
        return last == '\r' || last == '\u0085' || last == '\u2028' || last == '\u2029' ? n - 1 : n;
    }

    /** The longest text this pattern scans: {@link #MAX_REGEX_INPUT_CHARS}, less for big patterns. */
    @Override
    public int maxInputChars() {
        return maxInputChars;
    }

    @Override
    public String toString() {
        return source;
    }
}
