package dev.tollgate.policy.detect;

import java.util.Arrays;
import java.util.Set;

/**
 * A string as a reader of rendered HTML or Markdown reads it: its tags, comments and emphasis marks taken out.
 * {@code Ignore <b>all</b> previous instructions}, {@code Ignore **all** previous instructions},
 * {@code Ignore [all](x) previous instructions} and {@code Ig<!-- -->nore all previous instructions} show (and read, to a
 * model) as the phrase, while the marks split it for a pattern that expects spaces between its words.
 *
 * <p>Markup is read as HTML's tokenizer reads it, in one pass (linear in the string, whatever it holds): a tag ({@code <}
 * and a letter, or {@code </} and a letter) runs to the first {@code >} outside a quoted attribute value; a comment
 * ({@code <!--}) to {@code -->} or {@code --!>}, or ends at once as {@code <!-->} and {@code <!--->}; {@code <?},
 * {@code <!} not followed by {@code --}, and {@code </} not followed by a letter open a bogus comment to the next
 * {@code >}; each of these left open runs to the end of the string (so a renderer shows nothing of the rest). A tag that
 * breaks a line or a block ({@code br}, {@code p}, {@code div}, {@code li}, ...) reads as a space, every other tag and
 * comment as nothing. Markdown: runs of {@code *}, {@code ~} and {@code `}, a run of {@code _} at a word's edge
 * ({@code _all_}, not {@code snake_case}), and a link's brackets and target ({@code [text](target)} reads {@code text}).
 *
 * <p>The reading maps each character back to where it was written ({@link CharacterReferences.Decoded}), so a finding
 * covers the marks inside it and a redaction replaces them with the rest; its {@code references} are the seams
 * ({@link CharacterReferences.Decoded#seams}), the places where marks were taken out: where it reads otherwise than the
 * string as written.
 */
final class MarkupReading {

    /** Tags a renderer shows as a break between words (HTML's block and line-breaking elements). */
    private static final Set<String> BREAKING_TAGS = Set.of("br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1",
            "h2", "h3", "h4", "h5", "h6", "hr", "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt", "dl",
            "img", "nav", "aside", "main", "figure", "figcaption", "caption", "tbody", "thead", "tfoot", "address", "details",
            "summary", "center");

    private final String s;
    private final int n;
    /** Only HTML tags and comments taken out, not Markdown's marks: see {@link #withoutTags}. */
    private final boolean tagsOnly;
    private StringBuilder out;
    private int[] from;
    private int[] to;

    private MarkupReading(String s, boolean tagsOnly) {
        this.s = s;
        this.n = s.length();
        this.tagsOnly = tagsOnly;
    }

    /** The text with its markup taken out, or null when it holds none (most text). */
    static CharacterReferences.Decoded withoutMarkup(String s) {
        return mayHoldMarkup(s) ? new MarkupReading(s, false).read() : null;
    }

    /**
     * The text with only its HTML tags and comments taken out, or null when it holds none: the reading links are read in
     * (review CA). A renderer shows {@code https://docs.example.com<!-- -->.attacker.net/x} as one link to
     * {@code attacker.net}; Markdown's marks stay, since they decide where a renderer's link starts and ends
     * ({@code **https://a.example/**} is a link to {@code a.example/}, not to {@code a.example/**}).
     */
    static CharacterReferences.Decoded withoutTags(String s) {
        return s.indexOf('<') >= 0 ? new MarkupReading(s, true).read() : null;
    }

    private static boolean mayHoldMarkup(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '*' || c == '~' || c == '`' || c == '_' || c == '[') {
                return true;
            }
        }
        return false;
    }

    private CharacterReferences.Decoded read() {
        int i = 0;
        // A Markdown link's "](target)", taken out when the loop reaches it (its text between is read as any text).
        int linkTail = -1;
        int linkTailEnd = -1;
        while (i < n) {
            if (i == linkTail) {
                takeOut(i, linkTailEnd, false);
                i = linkTailEnd;
                continue;
            }
            char c = s.charAt(i);
            int end = i;
            boolean breaks = false;
            if (c == '<') {
                end = markupEnd(i);
                breaks = end > i && breaksWords(i);
            } else if (tagsOnly) {
                end = i;
            } else if (c == '*' || c == '~' || c == '`') {
                end = runEnd(i, c);
            } else if (c == '_') {
                int run = runEnd(i, '_');
                boolean inWord = i > 0 && Character.isLetterOrDigit(s.charAt(i - 1)) && run < n && Character.isLetterOrDigit(s.charAt(run));
                end = inWord ? i : run;
            } else if (c == '[' && linkTail < i) {
                int close = linkTextEnd(i);
                if (close > 0) {
                    linkTail = close;
                    linkTailEnd = linkTargetEnd(close);
                    end = i + 1;
                }
            }
            if (end > i) {
                takeOut(i, end, breaks);
                i = end;
            } else {
                keep(i++);
            }
        }
        if (out == null) {
            return null;
        }
        int[] f = Arrays.copyOf(from, out.length());
        int[] t = Arrays.copyOf(to, out.length());
        return new CharacterReferences.Decoded(out.toString(), f, t, CharacterReferences.Decoded.seams(f, t), true);
    }

    private void keep(int i) {
        if (out != null) {
            from[out.length()] = i;
            to[out.length()] = i + 1;
            out.append(s.charAt(i));
        }
    }

    /** Takes out {@code [start, end)}, read as a space standing for all of it when it breaks words. */
    private void takeOut(int start, int end, boolean asSpace) {
        if (out == null) {
            out = new StringBuilder(n).append(s, 0, start);
            from = new int[n];
            to = new int[n];
            for (int k = 0; k < start; k++) {
                from[k] = k;
                to[k] = k + 1;
            }
        }
        if (asSpace) {
            from[out.length()] = start;
            to[out.length()] = end;
            out.append(' ');
        }
    }

    private int runEnd(int i, char c) {
        int end = i;
        while (end < n && s.charAt(end) == c) {
            end++;
        }
        return end;
    }

    /** The end of the tag, comment or bogus comment starting at {@code lt}, or {@code lt} when none does. */
    private int markupEnd(int lt) {
        if (lt + 1 >= n) {
            return lt;
        }
        char next = s.charAt(lt + 1);
        if (isAsciiLetter(next)) {
            return tagEnd(lt + 2);
        }
        if (next == '/') {
            if (lt + 2 < n && isAsciiLetter(s.charAt(lt + 2))) {
                return tagEnd(lt + 3);
            }
            return lt + 2 < n && s.charAt(lt + 2) == '>' ? lt + 3 : bogusCommentEnd(lt + 2);
        }
        if (next == '!') {
            return s.startsWith("--", lt + 2) ? commentEnd(lt + 4) : bogusCommentEnd(lt + 2);
        }
        if (next == '?') {
            return bogusCommentEnd(lt + 2);
        }
        return lt;
    }

    /** A tag's end: past the first {@code >} outside a quoted value, or the end of the string. */
    private int tagEnd(int i) {
        while (i < n) {
            char c = s.charAt(i);
            if (c == '>') {
                return i + 1;
            }
            if ((c == '"' || c == '\'') && i > 0 && s.charAt(i - 1) == '=') {
                int close = s.indexOf(c, i + 1);
                if (close < 0) {
                    return n;
                }
                i = close + 1;
                continue;
            }
            i++;
        }
        return n;
    }

    /** A comment's end, its text starting at {@code i}: {@code <!-->} and {@code <!--->} end at once. */
    private int commentEnd(int i) {
        if (s.startsWith(">", i)) {
            return i + 1;
        }
        if (s.startsWith("->", i)) {
            return i + 2;
        }
        for (int dashes = s.indexOf("--", i); dashes >= 0; dashes = s.indexOf("--", dashes + 1)) {
            if (s.startsWith(">", dashes + 2)) {
                return dashes + 3;
            }
            if (s.startsWith("!>", dashes + 2)) {
                return dashes + 4;
            }
        }
        return n;
    }

    private int bogusCommentEnd(int i) {
        int gt = s.indexOf('>', i);
        return gt < 0 ? n : gt + 1;
    }

    /** Whether the tag at {@code lt} is one a renderer shows as a break between words. */
    private boolean breaksWords(int lt) {
        int start = lt + 1 < n && s.charAt(lt + 1) == '/' ? lt + 2 : lt + 1;
        int end = start;
        while (end < n && end - start < 12 && Character.isLetterOrDigit(s.charAt(end))) {
            end++;
        }
        return end > start && BREAKING_TAGS.contains(s.substring(start, end).toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The index of the {@code ]} closing a Markdown link's text opened at {@code open}, when {@code (target)} follows it
     * on the line; else -1. Stops at the next {@code [} or line end, so each character is looked at a bounded number of times.
     */
    private int linkTextEnd(int open) {
        for (int i = open + 1; i < n; i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '\n') {
                return -1;
            }
            if (c == ']') {
                return i + 1 < n && s.charAt(i + 1) == '(' && linkTargetEnd(i) > 0 ? i : -1;
            }
        }
        return -1;
    }

    /** The end of {@code ](target)} at {@code close}: past its {@code )}, or -1 when the target ends otherwise. */
    private int linkTargetEnd(int close) {
        for (int i = close + 2; i < n; i++) {
            char c = s.charAt(i);
            if (c == ')') {
                return i + 1;
            }
            if (Character.isWhitespace(c) && c != ' ' || c == '(' || c == '[') {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
