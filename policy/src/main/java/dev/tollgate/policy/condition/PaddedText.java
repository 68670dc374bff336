package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.NumberReadingsDisagreeException;

/**
 * A string with padding around it, as a reader that trims it sees it (review BX, finding 4): Jackson binding an enum
 * parameter (a Spring AI {@code @Tool} method, a record the Java SDK's argument map is converted to) retries a name it
 * does not know trimmed, so {@code " DESTROY"} is {@code DESTROY}; so do code calling {@code trim()}/{@code strip()}
 * before comparing, and lax string fields that strip. An equality or membership test naming a string ({@code eq},
 * {@code ne}, {@code in}, {@code not_in}) and a {@code matches} are decided on the trimmed text too; when it decides otherwise the rule denies
 * ({@link NumberReadingsDisagreeException}), so an allow rule ({@code ne: "DESTROY"}) does not allow the padded name
 * either. Only a padded string is read again: one look at each end otherwise.
 */
final class PaddedText {

    private PaddedText() {
    }

    /**
     * The test {@code test} on {@code exact} trimmed of padding ({@link DecimalText#isPadding}: every character up to
     * U+0020, Unicode spaces, NEL, a byte order mark), for a padded string; it must decide as {@code onExact}.
     *
     * @throws NumberReadingsDisagreeException when it is decided otherwise
     */
    static boolean decidedAlikeTrimmed(boolean onExact, JsonNode exact, NumberReadings.Test test, String where) {
        if (exact == null || !exact.isTextual()) {
            return onExact;
        }
        String text = exact.textValue();
        int start = 0;
        int end = text.length();
        while (start < end && DecimalText.isPadding(text.charAt(start))) {
            start++;
        }
        while (end > start && DecimalText.isPadding(text.charAt(end - 1))) {
            end--;
        }
        if (start == 0 && end == text.length()) {
            return onExact;
        }
        String trimmed = text.substring(start, end);
        if (test.test(TextNode.valueOf(trimmed)) != onExact) {
            throw new NumberReadingsDisagreeException(where + ", " + abbreviate(exact.toString()) + " ("
                    + abbreviate(TextNode.valueOf(trimmed).toString()) + " trimmed),");
        }
        return onExact;
    }

    /**
     * True for the tests decided on a padded string's trimmed text: equality and membership naming a string, and
     * {@code matches}: an anchored regex ({@code ^(DESTROY|WIPE)$}) does not match {@code " DESTROY"}, which a trimming
     * reader runs as DESTROY (review CD). {@code contains} is not: a padded string contains what the trimmed one does.
     */
    static boolean decidesOnTrimmedText(String operator, boolean namesAString) {
        return "matches".equals(operator) || namesAString && !"contains".equals(operator);
    }

    /** Whether a reader that trims would see another text: a string with padding at either end. */
    static boolean isPadded(JsonNode value) {
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            return false;
        }
        String text = value.textValue();
        return DecimalText.isPadding(text.charAt(0)) || DecimalText.isPadding(text.charAt(text.length() - 1));
    }

    /**
     * Whether a {@code matches} that finds nothing in a padded string may still find something in its trimmed text, so
     * that the trimmed search is worth running. Only an assertion tied to the text's ends or to a neighbouring character
     * can: the trimmed text is a slice of the padded one, and a match inside it is a match in the padded text unless
     * an anchor ({@code ^ $ \A \Z \z}) or a lookaround fails there ({@code \b} does not: padding is no word character
     * and neither is the text's end). The common case (a deny pattern finding nothing in a text ending with a newline)
     * then costs one search, not two; a search that did find something is always checked against the trimmed text.
     */
    static boolean trimmedMayMatchWhereExactDoesNot(String pattern) {
        return pattern.indexOf('^') >= 0 || pattern.indexOf('$') >= 0 || pattern.contains("\\A") || pattern.contains("\\Z")
                || pattern.contains("\\z") || pattern.contains("(?<") || pattern.contains("(?=") || pattern.contains("(?!");
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
