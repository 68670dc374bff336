package dev.tollgate.policy.detect;

import java.text.Normalizer;

/**
 * A string as detectors read it: NFKC-normalized (fullwidth {@code ＜ｓｙｓｔｅｍ＞} reads as {@code <system>}), then
 * letters drawn as Latin ones (Cyrillic, Greek, Armenian, ...) read as those ({@link Confusables}), with
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

    /**
     * How a character other than ASCII that reads as ASCII letters or digits (written beside an ASCII letter or digit)
     * is read, in the three readings {@link DocumentScan} makes of a text that holds one. Detectors anchor on ASCII word
     * boundaries, and such a character may be part of the word or a thing apart: {@code Іgnоrе} (look-alikes) and
     * {@code ᵢnstructions} (a compatibility letter) must join their word, {@code AKIA...EXAMPLE™} ({@code ™} reads
     * {@code TM}) and Hebrew's prefix vav glued to a key ({@code וAKIA...}, the vav folds to {@code l}) must not.
     * Fullwidth and mathematical letters ({@code Ａ}, {@code 𝐀}) are the letter itself and join in every reading.
     */
    enum Reading {
        /** Every such character read as its letters. */
        JOINED,
        /** A compatibility character (NFKC made it letters: {@code ™}, {@code №}, {@code ª}) read as a space; look-alikes joined. */
        COMPATIBILITY_APART,
        /**
         * As {@link #COMPATIBILITY_APART}, but a compatibility letter ({@code ᵢ}, {@code ª}) joined: only symbols
         * ({@code ™}, {@code №}, {@code ⒜}) apart ({@code ™ignore all previous ᵢnstructions}).
         */
        SYMBOLS_APART,
        /**
         * Compatibility characters, and look-alike letters at the edge of an ASCII word (ASCII on one side only), read as
         * spaces: a look-alike inside an ASCII word joins it.
         */
        LETTERS_APART,
        /** As {@link #LETTERS_APART}, look-alikes apart only before an ASCII word ({@code хAKIA...EXAMPLЕ}: the last joins). */
        LEADING_LETTERS_APART,
        /** As {@link #LETTERS_APART}, look-alikes apart only after an ASCII word. */
        TRAILING_LETTERS_APART;

        boolean compatibilityApart() {
            return this == COMPATIBILITY_APART || this == LETTERS_APART || this == LEADING_LETTERS_APART || this == TRAILING_LETTERS_APART;
        }
    }

    /** Which of the other readings this text needs (none for most: see {@link Reading}). */
    private final boolean compatibilityBesideAscii;
    private final boolean lookAlikeBesideAscii;

    private TextView(String original, String normalized, int[] origin, boolean compatibilityBesideAscii, boolean lookAlikeBesideAscii) {
        this.original = original;
        this.normalized = normalized;
        this.origin = origin;
        this.compatibilityBesideAscii = compatibilityBesideAscii;
        this.lookAlikeBesideAscii = lookAlikeBesideAscii;
    }

    public static TextView of(String text) {
        return read(text, Reading.JOINED);
    }

    /** The text in another {@link Reading}. */
    static TextView of(String text, Reading reading) {
        return read(text, reading);
    }

    /** Whether a compatibility character reads as letters beside an ASCII word (so {@link Reading#COMPATIBILITY_APART} is read too). */
    boolean compatibilityBesideAscii() {
        return compatibilityBesideAscii;
    }

    /** Whether a look-alike letter reads as a letter beside an ASCII word (so {@link Reading#LETTERS_APART} is read too). */
    boolean lookAlikeBesideAscii() {
        return lookAlikeBesideAscii;
    }

    private static TextView read(String text, Reading reading) {
        boolean plain = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x7F || c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                plain = false;
                break;
            }
        }
        if (!plain && Normalizer.isNormalized(text, Normalizer.Form.NFKC) && text.codePoints().allMatch(TextView::readAsIs)) {
            plain = true; // most non-ASCII text (precomposed accents, CJK) is already in NFKC form: read as it is
        }
        if (plain) {
            // The common case costs no normalization and no map: the text is read as it is.
            return new TextView(text, text, null, false, false);
        }
        boolean compatibility = false;
        boolean lookAlike = false;
        java.util.BitSet replaced = null;
        StringBuilder out = new StringBuilder(text.length());
        int[] origin = new int[Math.max(16, text.length() + 8)];
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            String piece;
            if (cp >= 0xE0020 && cp <= 0xE007E && inTagRun(text, i, width)) {
                // "ASCII smuggling": a run of tag characters is text hidden from the reader, read as the ASCII it encodes.
                // A lone one is a splitter like a zero-width space, and is removed as invisible below.
                piece = String.valueOf((char) (cp - 0xE0000));
            } else if (invisible(cp)) {
                piece = "";
            } else if (cp != ' ' && (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85)) {
                piece = " "; // RE2's \s is ASCII: every other space or line break reads as a space
            } else if (cp < 0x80) {
                piece = String.valueOf((char) cp);
            } else {
                // Folded after NFKC, not instead of it: a math bold omicron is NFKC Greek ο, which is drawn as o
                String nfkc = Normalizer.normalize(text.substring(i, i + width), Normalizer.Form.NFKC);
                piece = Confusables.fold(nfkc);
                if (hasAsciiLetterOrDigit(piece) && !widthOrFontVariant(cp) && besideAsciiLetterOrDigit(text, i, width)) {
                    boolean folded = !piece.equals(nfkc);
                    compatibility |= !folded;
                    lookAlike |= folded;
                    boolean symbol = !Character.isLetterOrDigit(cp);
                    boolean apart = !folded && (reading.compatibilityApart() || reading == Reading.SYMBOLS_APART && symbol)
                            || folded && lookAlikeApart(reading, asciiWordEdge(text, i, width));
                    if (apart) {
                        piece = " ";
                        replaced = replaced != null ? replaced : new java.util.BitSet();
                        replaced.set(i);
                    }
                }
            }
            for (int k = 0; k < piece.length(); k++) {
                if (out.length() == origin.length) {
                    origin = java.util.Arrays.copyOf(origin, origin.length * 2);
                }
                origin[out.length()] = i;
                out.append(piece.charAt(k));
            }
            i += width;
        }
        TextView view = new TextView(text, out.toString(), origin, compatibility, lookAlike);
        view.replaced = replaced;
        return view;
    }

    /** The original indices of the characters this reading read as spaces; null when none. */
    private java.util.BitSet replaced;

    /**
     * Whether a word starts at original index {@code i} in this reading: a normalized character begins there and the one
     * before it is no ASCII word character (so a pattern anchored on {@code \\b} may match from there).
     */
    boolean wordStartsAt(int i) {
        for (int k = 0; k < normalized.length(); k++) {
            int at = originalStart(k);
            if (at >= i) {
                if (at != i) {
                    return false;
                }
                char c = k == 0 ? ' ' : normalized.charAt(k - 1);
                return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_');
            }
        }
        return false;
    }

    /** Whether this reading read any character as a space (an other reading than the joined one). */
    boolean readsSomethingApart() {
        return replaced != null;
    }

    /** Whether this reading read the character at original index {@code i} as a space (a thing apart from its word). */
    boolean readApartAt(int i) {
        return replaced != null && i < original.length() && replaced.get(i);
    }

    /**
     * Whether the character at {@code i} is written right beside an ASCII letter or digit (invisible characters between
     * them aside): only there does reading it as letters, or as a space, change an ASCII word.
     */
    private static boolean besideAsciiLetterOrDigit(String text, int i, int width) {
        int before = neighbourBefore(text, i, TextView::invisible);
        int after = neighbourAfter(text, i + width, TextView::invisible);
        return before >= 0 && readsAsAsciiLetterOrDigit(before) || after >= 0 && readsAsAsciiLetterOrDigit(after);
    }

    /** The code point before {@code i}, characters {@code skipped} aside; -1 at the text's start. */
    private static int neighbourBefore(String text, int i, java.util.function.IntPredicate skipped) {
        int before = i;
        while (before > 0 && skipped.test(text.codePointBefore(before))) {
            before -= Character.charCount(text.codePointBefore(before));
        }
        return before > 0 ? text.codePointBefore(before) : -1;
    }

    /** The code point at or after {@code i}, characters {@code skipped} aside; -1 at the text's end. */
    private static int neighbourAfter(String text, int i, java.util.function.IntPredicate skipped) {
        int after = i;
        while (after < text.length() && skipped.test(text.codePointAt(after))) {
            after += Character.charCount(text.codePointAt(after));
        }
        return after < text.length() ? text.codePointAt(after) : -1;
    }

    /** An ASCII letter or digit, or a character read as one ({@code Ａ}, a look-alike): the word goes on through it. */
    private static boolean readsAsAsciiLetterOrDigit(int cp) {
        return cp < 0x80 ? isAsciiLetterOrDigit(cp)
                : hasAsciiLetterOrDigit(Confusables.fold(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC)));
    }

    /** Where a look-alike is against an ASCII word: none, or before it (ASCII after), or after it (ASCII before). */
    private enum Edge { NONE, LEADING, TRAILING }

    private static boolean lookAlikeApart(Reading reading, Edge edge) {
        return switch (reading) {
            case LETTERS_APART -> edge != Edge.NONE;
            case LEADING_LETTERS_APART -> edge == Edge.LEADING;
            case TRAILING_LETTERS_APART -> edge == Edge.TRAILING;
            default -> false;
        };
    }

    /**
     * Whether the look-alike at {@code i} is at the edge of an ASCII word: an ASCII letter or digit (or the letter itself
     * in another width or font) on exactly one side. Other look-alikes do not count as ASCII here: a word of them glued
     * to an ASCII word ({@code сорhttps}) has its edge where it meets the ASCII. One with ASCII on both sides is inside the
     * word ({@code Ignоre}) and joins it.
     */
    private static Edge asciiWordEdge(String text, int i, int width) {
        int before = neighbourBefore(text, i, TextView::skippable);
        int after = neighbourAfter(text, i + width, TextView::skippable);
        boolean left = before >= 0 && asciiOrVariantLetterOrDigit(before);
        boolean right = after >= 0 && asciiOrVariantLetterOrDigit(after);
        return left == right ? Edge.NONE : right ? Edge.LEADING : Edge.TRAILING;
    }

    private static boolean asciiOrVariantLetterOrDigit(int cp) {
        return cp < 0x80 ? isAsciiLetterOrDigit(cp) : widthOrFontVariant(cp) && readsAsAsciiLetterOrDigit(cp);
    }

    private static boolean isAsciiLetterOrDigit(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean hasAsciiLetterOrDigit(String piece) {
        for (int k = 0; k < piece.length(); k++) {
            if (isAsciiLetterOrDigit(piece.charAt(k))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The letter itself in another width, font or form, read as part of its word in every reading: fullwidth forms,
     * mathematical letters and digits, letterlike letters ({@code ℯ}, {@code ℌ}; not the symbols {@code ™} {@code №} of
     * that block), Roman numerals ({@code Ⅰ}) and Latin ligatures ({@code ﬆ}).
     */
    private static boolean widthOrFontVariant(int cp) {
        return cp >= 0xFF00 && cp <= 0xFFEF || cp >= 0x1D400 && cp <= 0x1D7FF
                || cp >= 0x2100 && cp <= 0x214F && Character.isLetter(cp)
                || cp >= 0x2160 && cp <= 0x2188 && Character.getType(cp) == Character.LETTER_NUMBER
                || cp >= 0xFB00 && cp <= 0xFB06;
    }

    private static boolean skippable(int cp) {
        return invisible(cp) || Character.getType(cp) == Character.NON_SPACING_MARK || Character.getType(cp) == Character.ENCLOSING_MARK;
    }


    /** Whether the tag character at {@code i} has another tag character right before or after it. */
    private static boolean inTagRun(String text, int i, int width) {
        boolean after = i + width < text.length() && isTag(text.codePointAt(i + width));
        boolean before = i >= 2 && isTag(text.codePointBefore(i));
        return after || before;
    }

    private static boolean isTag(int cp) {
        return cp >= 0xE0020 && cp <= 0xE007E;
    }

    /** A character the fast path may keep: printable, not invisible, not an unusual space, not a tag character. */
    private static boolean readAsIs(int cp) {
        return !invisible(cp) && Confusables.latin(cp) == 0 && !(cp >= 0xE0000 && cp <= 0xE007F) && (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f'
                || !(Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85 || Character.isISOControl(cp)));
    }

    /**
     * Characters that render as nothing, removed before matching: every format character (zero-width spaces and
     * joiners, bidi embeddings, overrides and isolates, word joiners, soft hyphens, BOMs, tag characters), variation
     * selectors, the combining grapheme joiner, Hangul fillers and Mongolian free variation selectors.
     */
    public static boolean invisible(int cp) {
        return Character.getType(cp) == Character.FORMAT || cp == 0x00AD || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164
                || cp == 0xFFA0 || cp >= 0xFE00 && cp <= 0xFE0F || cp >= 0xE0100 && cp <= 0xE01EF || cp >= 0x180B && cp <= 0x180E;
    }

    public String original() {
        return original;
    }

    /** What detectors match against. */
    public String normalized() {
        return normalized;
    }

    /**
     * Where this reading reads otherwise than the string it was made of (sorted indexes into {@link #original()}), when
     * only the windows holding one need reading: null for a reading read whole.
     */
    private int[] seams;

    /** This reading is read only in the windows holding one of {@code seams} (null: read whole); see {@link #holdsSeam}. */
    TextView onlyAround(int[] seams) {
        this.seams = seams;
        this.normalizedSeams = null;
        return this;
    }

    /** {@link #seams} as indexes into {@link #normalized()}: the first character at or past each; computed on first use. */
    private int[] normalizedSeams;

    /** Where this reading reads otherwise than the string it was made of, as sorted indexes into {@link #normalized()}. */
    int[] normalizedSeams() {
        if (normalizedSeams == null && seams != null) {
            if (origin == null) {
                normalizedSeams = seams;
            } else {
                int[] out = new int[seams.length];
                int count = 0;
                int j = 0;
                for (int k = 0; k < normalized.length() && j < seams.length; k++) {
                    if (seams[j] <= origin[k]) {
                        out[count++] = k;
                        while (j < seams.length && seams[j] <= origin[k]) {
                            j++;
                        }
                    }
                }
                if (j < seams.length) {
                    out[count++] = normalized.length(); // past the last character (a mark taken out at the end)
                }
                normalizedSeams = java.util.Arrays.copyOf(out, count);
            }
        }
        return normalizedSeams;
    }

    /** Whether this reading is read only around its seams. */
    boolean readOnlyAroundSeams() {
        return seams != null;
    }

    /**
     * Whether the normalized window {@code [from, to)} holds a seam: a window without one reads as the same characters of
     * the string as written, which its own reading reads.
     */
    boolean holdsSeam(int from, int to) {
        if (seams == null) {
            return true;
        }
        int start = originalStart(Math.min(from, Math.max(0, normalized.length() - 1)));
        int end = originalEnd(to);
        int at = java.util.Arrays.binarySearch(seams, start);
        int next = at >= 0 ? at : -at - 1;
        return next < seams.length && seams[next] <= end;
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
     * The most digits in one run of the normalized text, where up to three separators (space, dash, dot, slash, parenthesis)
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
                } else if (run > 0 && separators < 3 && " -./()".indexOf(c) >= 0) {
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
