package dev.tollgate.policy.detect;

import java.text.Normalizer;

/**
 * A string as detectors read it: NFKC-normalized (fullwidth {@code ＜ｓｙｓｔｅｍ＞} reads as {@code <system>}), with
 * invisible characters removed (zero-width spaces and joiners, word joiners, soft hyphens, BOMs, bidi controls: what
 * an attacker slips into {@code ig​nore previous instructions} to split a phrase the model still reads), with a map
 * from each normalized character back to the original, so a match is reported and redacted in the original text.
 */
public final class TextView {

    private final String original;
    private final String normalized;
    /** Computed on first use and shared by every detector reading this text. */
    private String lower;
    private int maxDigitRun = -1;
    /** Shared by every string of one document; unlimited for a lone text. */
    private ScanBudget budget = new ScanBudget(Long.MAX_VALUE);
    /**
     * For each char of {@link #normalized}, the index in {@link #original} of the character it came from; null when the
     * two are the same text (the index is its own).
     */
    private final int[] origin;

    private TextView(String original, String normalized, int[] origin) {
        this.original = original;
        this.normalized = normalized;
        this.origin = origin;
    }

    public static TextView of(String text) {
        boolean ascii = true;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (!ascii && Normalizer.isNormalized(text, Normalizer.Form.NFKC) && text.codePoints().noneMatch(TextView::invisible)) {
            ascii = true; // most non-ASCII text (precomposed accents, CJK) is already in NFKC form: read as it is
        }
        if (ascii) {
            // The common case costs no normalization and no map: ASCII is its own NFKC form, without invisible characters.
            return new TextView(text, text, null);
        }
        StringBuilder out = new StringBuilder(text.length());
        int[] origin = new int[Math.max(16, text.length() + 8)];
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (!invisible(cp)) {
                String piece = cp < 0x80 ? String.valueOf((char) cp) : Normalizer.normalize(text.substring(i, i + width), Normalizer.Form.NFKC);
                for (int k = 0; k < piece.length(); k++) {
                    if (out.length() == origin.length) {
                        origin = java.util.Arrays.copyOf(origin, origin.length * 2);
                    }
                    origin[out.length()] = i;
                    out.append(piece.charAt(k));
                }
            }
            i += width;
        }
        return new TextView(text, out.toString(), origin);
    }

    /** Characters that render as nothing: removed before matching. */
    static boolean invisible(int cp) {
        return cp == 0x00AD || cp >= 0x200B && cp <= 0x200F || cp >= 0x202A && cp <= 0x202E || cp >= 0x2060 && cp <= 0x2064
                || cp == 0xFEFF || cp >= 0xFE00 && cp <= 0xFE0F || cp == 0x180E;
    }

    public String original() {
        return original;
    }

    /** What detectors match against. */
    public String normalized() {
        return normalized;
    }

    /** This text's strings share the document's budget. */
    TextView within(ScanBudget documentBudget) {
        this.budget = documentBudget;
        return this;
    }

    ScanBudget budget() {
        return budget;
    }

    /** The normalized text lower-cased (for triggers: literal tests, never for offsets). */
    public String lower() {
        if (lower == null) {
            lower = normalized.toLowerCase(java.util.Locale.ROOT);
        }
        return lower;
    }

    /**
     * The most digits in one run of the normalized text, where up to two separators (space, dash, dot, slash, parenthesis)
     * may stand between two digits: what a phone, card or id number needs at least.
     */
    public int maxDigitRun() {
        if (maxDigitRun < 0) {
            int best = 0;
            int run = 0;
            int separators = 0;
            for (int i = 0; i < normalized.length(); i++) {
                char c = normalized.charAt(i);
                if (c >= '0' && c <= '9') {
                    run++;
                    separators = 0;
                    best = Math.max(best, run);
                } else if (run > 0 && separators < 2 && " -./()".indexOf(c) >= 0) {
                    separators++;
                } else {
                    run = 0;
                    separators = 0;
                }
            }
            maxDigitRun = best;
        }
        return maxDigitRun;
    }

    /** The original index where the normalized character at {@code index} starts. */
    public int originalStart(int index) {
        return origin == null ? index : origin[index];
    }

    /** The original index just past the normalized span ending (exclusive) at {@code end}. */
    public int originalEnd(int end) {
        if (end >= normalized.length()) {
            return original.length();
        }
        return origin == null ? end : origin[end];
    }

    /** Reports a match of the normalized text as a span of the original. */
    public void report(int normalizedStart, int normalizedEnd, String kind, Detector.SpanSink out) {
        out.found(originalStart(normalizedStart), originalEnd(normalizedEnd), kind);
    }
}
