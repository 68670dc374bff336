package dev.tollgate.policy.detect;

import java.util.Arrays;

/**
 * A string as a reader of rendered HTML or Markdown reads it: its tags, comments and emphasis marks taken out.
 * {@code Ignore <b>all</b> previous instructions}, {@code Ignore **all** previous instructions} and
 * {@code Ig<!-- -->nore all previous instructions} show (and read, to a model) as the phrase, while the marks split it
 * for a pattern that expects spaces between its words. Only a mark that cannot be part of a word is taken out: an HTML
 * tag ({@code <} then a letter or {@code /} and a letter, to its {@code >}) or comment, runs of {@code *}, {@code ~} and
 * {@code `}, and a run of {@code _} at a word's edge ({@code _all_}, not {@code snake_case}).
 *
 * <p>The reading maps each character back to where it was written ({@link CharacterReferences.Decoded}), so a finding
 * covers the marks inside it and a redaction replaces them with the rest.
 */
final class MarkupReading {

    /** A tag longer than this is not one a renderer would make of ordinary text: read as written. */
    private static final int MAX_TAG = 512;

    private MarkupReading() {
    }

    /** The text with its markup taken out, or null when it holds none (most text). */
    static CharacterReferences.Decoded withoutMarkup(String s) {
        if (!mayHoldMarkup(s)) {
            return null;
        }
        StringBuilder out = null;
        int[] from = null;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int end = markEnd(s, i);
            if (end > i) {
                if (out == null) {
                    out = new StringBuilder(n).append(s, 0, i);
                    from = new int[n];
                    for (int k = 0; k < i; k++) {
                        from[k] = k;
                    }
                }
                i = end;
                continue;
            }
            if (out != null) {
                from[out.length()] = i;
                out.append(s.charAt(i));
            }
            i++;
        }
        if (out == null) {
            return null;
        }
        int[] kept = Arrays.copyOf(from, out.length());
        int[] to = new int[kept.length];
        for (int k = 0; k < kept.length; k++) {
            to[k] = kept[k] + 1;
        }
        return new CharacterReferences.Decoded(out.toString(), kept, to, new int[0], true);
    }

    private static boolean mayHoldMarkup(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '*' || c == '~' || c == '`' || c == '_') {
                return true;
            }
        }
        return false;
    }

    /** Where the mark starting at {@code i} ends, or {@code i} when none starts there. */
    private static int markEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '<') {
            return tagEnd(s, i);
        }
        if (c == '*' || c == '~' || c == '`') {
            int end = i;
            while (end < s.length() && s.charAt(end) == c) {
                end++;
            }
            return end;
        }
        if (c == '_') {
            int end = i;
            while (end < s.length() && s.charAt(end) == '_') {
                end++;
            }
            boolean wordBefore = i > 0 && Character.isLetterOrDigit(s.charAt(i - 1));
            boolean wordAfter = end < s.length() && Character.isLetterOrDigit(s.charAt(end));
            return wordBefore && wordAfter ? i : end;
        }
        return i;
    }

    /** The end of an HTML tag or comment starting at {@code lt}, or {@code lt} when none does. */
    private static int tagEnd(String s, int lt) {
        int limit = Math.min(s.length(), lt + MAX_TAG);
        if (s.startsWith("<!--", lt)) {
            int close = s.indexOf("-->", lt + 4);
            return close >= 0 && close + 3 <= limit ? close + 3 : lt;
        }
        int name = lt + 1 < s.length() && s.charAt(lt + 1) == '/' ? lt + 2 : lt + 1;
        if (name >= s.length() || !isAsciiLetter(s.charAt(name))) {
            return lt;
        }
        for (int i = name + 1; i < limit; i++) {
            char c = s.charAt(i);
            if (c == '>') {
                return i + 1;
            }
            if (c == '<') {
                return lt;
            }
        }
        return lt;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
