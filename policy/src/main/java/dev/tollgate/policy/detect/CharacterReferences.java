package dev.tollgate.policy.detect;

import java.util.Arrays;
import java.util.Map;
import org.jsoup.nodes.Entities;

/**
 * Text with its HTML character references decoded, as an HTML attribute or a CommonMark link destination is decoded
 * before its URL is read ({@code https&colon;//evil.net} is a link there). Numeric references ({@code &#58;},
 * {@code &#x3A}, the semicolon optional as HTML allows) and the named references of ASCII punctuation, the characters
 * that shape a URL; a named reference of a letter or symbol outside ASCII cannot make a link's scheme or split its
 * authority, and is left as written.
 */
final class CharacterReferences {

    private static final Map<String, Character> NAMED = Map.ofEntries(
            Map.entry("colon", ':'), Map.entry("sol", '/'), Map.entry("bsol", '\\'), Map.entry("quest", '?'),
            Map.entry("num", '#'), Map.entry("period", '.'), Map.entry("commat", '@'), Map.entry("percnt", '%'),
            Map.entry("lowbar", '_'), Map.entry("UnderBar", '_'), Map.entry("lpar", '('), Map.entry("rpar", ')'),
            Map.entry("lsqb", '['), Map.entry("lbrack", '['), Map.entry("rsqb", ']'), Map.entry("rbrack", ']'),
            Map.entry("excl", '!'), Map.entry("quot", '"'), Map.entry("QUOT", '"'), Map.entry("apos", '\''),
            Map.entry("lt", '<'), Map.entry("LT", '<'), Map.entry("gt", '>'), Map.entry("GT", '>'),
            Map.entry("amp", '&'), Map.entry("AMP", '&'), Map.entry("equals", '='), Map.entry("plus", '+'),
            Map.entry("ast", '*'), Map.entry("midast", '*'), Map.entry("semi", ';'), Map.entry("comma", ','),
            Map.entry("Tab", '\t'), Map.entry("NewLine", '\n'), Map.entry("dollar", '$'), Map.entry("grave", '`'),
            Map.entry("DiacriticalGrave", '`'), Map.entry("Hat", '^'), Map.entry("verbar", '|'), Map.entry("vert", '|'),
            Map.entry("VerticalLine", '|'), Map.entry("lcub", '{'), Map.entry("lbrace", '{'), Map.entry("rcub", '}'),
            Map.entry("rbrace", '}'));

    /** Names HTML also decodes without their semicolon (the legacy ones among the above). */
    private static final java.util.Set<String> WITHOUT_SEMICOLON = java.util.Set.of("quot", "QUOT", "lt", "LT", "gt", "GT", "amp", "AMP", "nbsp");

    /**
     * Named references of spaces and invisible characters, decoded beside the above for the reading every detector makes
     * ({@link #decodeForReading}): HTML a tool relays writes its spaces so ({@code Ignore&nbsp;all&nbsp;previous}), and a
     * renderer or a model reads them as the characters. Not for links (a link's shape is made of the punctuation above).
     */
    private static final Map<String, Character> SPACES = Map.ofEntries(
            Map.entry("nbsp", '\u00A0'), Map.entry("NonBreakingSpace", '\u00A0'), Map.entry("ensp", '\u2002'),
            Map.entry("emsp", '\u2003'), Map.entry("emsp13", '\u2004'), Map.entry("emsp14", '\u2005'), Map.entry("numsp", '\u2007'),
            Map.entry("puncsp", '\u2008'), Map.entry("thinsp", '\u2009'), Map.entry("ThinSpace", '\u2009'), Map.entry("hairsp", '\u200A'),
            Map.entry("VeryThinSpace", '\u200A'), Map.entry("MediumSpace", '\u205F'), Map.entry("shy", '\u00AD'),
            Map.entry("ZeroWidthSpace", '\u200B'), Map.entry("zwnj", '\u200C'), Map.entry("zwj", '\u200D'), Map.entry("NoBreak", '\u2060'),
            Map.entry("hyphen", '\u2010'), Map.entry("dash", '\u2010'), Map.entry("ndash", '\u2013'), Map.entry("mdash", '\u2014'));

    /**
     * The decoded text; {@code from[i]} and {@code to[i]} are where the decoded character {@code i} was written in the
     * source (a reference's whole extent for each character it became).
     *
     * @param markupTakenOut the text is the source with its markup taken out ({@link MarkupReading}), not decoded: read
     *                       only around its seams; link detectors read only the one with HTML tags and comments alone
     *                       taken out (emphasis marks decide where a link a renderer makes starts and ends)
     */
    record Decoded(String text, int[] from, int[] to, int[] references, boolean markupTakenOut) {

        /** Whether the decoded span {@code [start, end)} holds a decoded reference (it reads otherwise than written). */
        boolean decodedWithin(int start, int end) {
            return to[end - 1] - from[start] != end - start;
        }

        /**
         * This reading read again by {@code inner} (whose source is this reading's text), mapped back to this reading's
         * source: markup taken out, then the character references of what is left decoded, as a renderer shows it.
         */
        Decoded then(Decoded inner) {
            int length = inner.text().length();
            int[] f = new int[length];
            int[] t = new int[length];
            for (int i = 0; i < length; i++) {
                f[i] = from[inner.from()[i]];
                t[i] = to[inner.to()[i] - 1];
            }
            return new Decoded(inner.text(), f, t, seams(f, t), markupTakenOut || inner.markupTakenOut());
        }

        /**
         * This reading with its edges among its seams when marks were taken out there: index 0 when the source starts
         * with one, the text's length when it ends with one. A mark taken out at an edge leaves no character after it,
         * but changes what a pattern reads at the edge ({@code _ignore all previous instructions_}: a word character
         * beside the phrase, which {@code \b} needs not to be).
         */
        Decoded withEdges(int sourceLength) {
            int length = text.length();
            boolean first = length > 0 && from[0] > 0 && (references.length == 0 || references[0] != 0);
            boolean last = length > 0 && to[length - 1] < sourceLength;
            if (!first && !last) {
                return this;
            }
            int[] seams = new int[references.length + (first ? 1 : 0) + (last ? 1 : 0)];
            System.arraycopy(references, 0, seams, first ? 1 : 0, references.length);
            if (last) {
                seams[seams.length - 1] = length;
            }
            return new Decoded(text, from, to, seams, markupTakenOut);
        }

        /**
         * Where a reading reads otherwise than its source: each index whose character is not the next one written after the
         * character before it (a mark taken out before it, or a reference it was decoded from).
         */
        static int[] seams(int[] from, int[] to) {
            int[] seams = new int[8];
            int count = 0;
            for (int i = 0; i < from.length; i++) {
                if (to[i] - from[i] != 1 || i > 0 && from[i] != to[i - 1]) {
                    if (count == seams.length) {
                        seams = Arrays.copyOf(seams, count * 2);
                    }
                    seams[count++] = i;
                }
            }
            return Arrays.copyOf(seams, count);
        }
    }

    private CharacterReferences() {
    }

    /** The decoded text, or null when {@code s} holds no reference this decodes. */
    static Decoded decode(String s) {
        return decode(s, false);
    }

    /**
     * The text as a reader of HTML or Markdown reads it, for every detector (review BS): numeric references, the named
     * ones of punctuation, those of spaces and invisible characters ({@link #SPACES}) and every other HTML5 name with its
     * semicolon (jsoup's table; review BV) decoded, as HTML text reads them (review BY): names with digits
     * ({@code &emsp13;}, {@code &sup2;}), the longest legacy name without its semicolon whatever follows it
     * ({@code &nbspall}), and C1 controls as windows-1252 ({@code &#131;} is ƒ); null when it holds none.
     */
    static Decoded decodeForReading(String s) {
        return s.indexOf('&') < 0 ? null : decode(s, true);
    }

    private static Decoded decode(String s, boolean reading) {
        int amp = s.indexOf('&');
        while (amp >= 0 && referenceAt(s, amp, reading) == null) {
            amp = s.indexOf('&', amp + 1);
        }
        if (amp < 0) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        int[] from = new int[s.length()];
        int[] to = new int[s.length()];
        int[] references = new int[8];
        int count = 0;
        int i = 0;
        while (i < s.length()) {
            Reference reference = i >= amp && s.charAt(i) == '&' ? referenceAt(s, i, reading) : null;
            if (reference == null) {
                from[out.length()] = i;
                to[out.length()] = i + 1;
                out.append(s.charAt(i++));
                continue;
            }
            if (count == references.length) {
                references = Arrays.copyOf(references, count * 2);
            }
            references[count++] = out.length();
            for (int k = 0; k < reference.value().length(); k++) {
                from[out.length()] = i;
                to[out.length()] = reference.end();
                out.append(reference.value().charAt(k));
            }
            i = reference.end();
        }
        return new Decoded(out.toString(), Arrays.copyOf(from, out.length()), Arrays.copyOf(to, out.length()),
                Arrays.copyOf(references, count), false);
    }

    /** A reference this decodes: where it ends in the source (after its semicolon when it has one) and what it reads as. */
    private record Reference(int end, String value) {
    }

    /** The reference starting at {@code amp}, or null when none this decodes starts there. */
    private static Reference referenceAt(String s, int amp, boolean reading) {
        int i = amp + 1;
        if (i < s.length() && s.charAt(i) == '#') {
            return numeric(s, amp, reading);
        }
        // A name is letters then letters and digits (&emsp13;, &frac12;, &sup2;: review BY), as HTML's tokenizer and jsoup
        // read one; the link reading, whose names are all of letters, stops at the first digit as it always did.
        while (i < s.length() && i - amp <= 32 && (isAsciiLetter(s.charAt(i)) || reading && i > amp + 1 && isAsciiDigit(s.charAt(i)))) {
            i++;
        }
        if (i == amp + 1) {
            return null;
        }
        String name = s.substring(amp + 1, i);
        boolean semicolon = i < s.length() && s.charAt(i) == ';';
        String value = semicolon ? named(name, reading) : null;
        if (value != null) {
            return new Reference(i + 1, value);
        }
        if (!reading) {
            Character c = NAMED.get(name);
            return c != null && !semicolon && WITHOUT_SEMICOLON.contains(name) ? new Reference(i, String.valueOf(c)) : null;
        }
        // Text as HTML reads it: no name of the table ends with this semicolon, so the longest legacy name (those HTML
        // decodes without a semicolon: every Latin-1 one) the characters start with is the reference, whatever follows.
        // &nbspall is a no-break space then "all", &ltsystem> is <system>, &notit; is a not sign then "it;" (the WHATWG
        // spec's own example; review BY). jsoup takes no such prefix; browsers, which render what a tool relays, do.
        for (int length = name.length(); length >= 2; length--) {
            String legacy = name.substring(0, length);
            if (Entities.isBaseNamedEntity(legacy)) {
                return new Reference(amp + 1 + length, Entities.getByName(legacy));
            }
        }
        return null;
    }

    /** What a name followed by its semicolon reads as: the link reading knows punctuation only, the detectors' every name. */
    private static String named(String name, boolean reading) {
        Character c = NAMED.get(name);
        if (c == null && reading) {
            c = SPACES.get(name);
        }
        if (c != null) {
            return String.valueOf(c);
        }
        if (!reading) {
            return null;
        }
        // Every other HTML5 name, for reading: letters written as references (&Iopf; is a double-struck I, &omicron;
        // a Greek o) are the letters to a renderer or a model, which the look-alike readings then fold (review BV).
        String value = Entities.getByName(name);
        return value.isEmpty() ? null : value;
    }

    /**
     * HTML reads a numeric reference of a C1 control (0x80-0x9F) as the windows-1252 character of that byte: {@code &#131;}
     * is ƒ, not U+0083 (the WHATWG tokenizer's table; jsoup's too). 0 where windows-1252 has no character there (the
     * control is kept).
     */
    private static final char[] WINDOWS_1252 = {
            '\u20AC', 0, '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021', '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', 0, '\u017D', 0,
            0, '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014', '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', 0, '\u017E', '\u0178'};

    private static Reference numeric(String s, int amp, boolean reading) {
        int i = amp + 2;
        boolean hex = i < s.length() && (s.charAt(i) == 'x' || s.charAt(i) == 'X');
        if (hex) {
            i++;
        }
        int digits = i;
        // Any number of leading zeros (HTML reads &#0000…058; as a colon), then at most eight digits more.
        while (i < s.length() && s.charAt(i) == '0') {
            i++;
        }
        int significant = i;
        while (i < s.length() && i - significant < 8 && (hex ? Character.digit(s.charAt(i), 16) >= 0 : isAsciiDigit(s.charAt(i)))) {
            i++;
        }
        if (i == digits) {
            return null;
        }
        int end = i < s.length() && s.charAt(i) == ';' ? i + 1 : i;
        long cp = significant == i ? 0 : Long.parseLong(s.substring(significant, i), hex ? 16 : 10);
        if (cp <= 0 || !Character.isValidCodePoint((int) cp)) {
            return null;
        }
        if (reading && cp >= 0x80 && cp <= 0x9F && WINDOWS_1252[(int) cp - 0x80] != 0) {
            return new Reference(end, String.valueOf(WINDOWS_1252[(int) cp - 0x80]));
        }
        return new Reference(end, new String(Character.toChars((int) cp)));
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
