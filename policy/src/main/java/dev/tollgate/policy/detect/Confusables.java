package dev.tollgate.policy.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * Letters drawn like a Latin letter, read as that letter: {@code Іgnоrе аll prеviоus instructiоns} (Cyrillic І, о, е,
 * а) is what a model reads as the English phrase, while NFKC keeps every letter in its own script. The table,
 * {@code confusables-latin.txt}, is every letter whose Unicode confusables skeleton (UTS #39) is one ASCII letter
 * (Cyrillic, Greek, Armenian, Cherokee, Latin extensions like dotless ı, ...), keyed by its NFKC form because TextView
 * folds after NFKC; it is generated with ICU4J by ConfusablesTable (test sources), so the runtime does not carry ICU.
 * Only single letters are folded, never ASCII: ICU's skeletons would fold ASCII text too ({@code m} becomes
 * {@code rn}), which every detector's patterns would then need. A word in those scripts reads as gibberish Latin to
 * the detectors, which look for English phrases, secrets and addresses, so nothing that was found before goes unfound.
 */
final class Confusables {

    static final String RESOURCE = "confusables-latin.txt";

    /** The Basic Multilingual Plane, indexed by char: one array read on the path every non-ASCII char takes. */
    private static final char[] BMP = new char[0x10000];
    /** Supplementary code points (Old Italic, Warang Citi, ...), sorted, and the letter of each. */
    private static final int[] SUPPLEMENTARY;
    private static final char[] SUPPLEMENTARY_LATIN;

    static {
        TreeMap<Integer, Character> supplementary = new TreeMap<>();
        try (InputStream in = Confusables.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                int hash = line.indexOf('#');
                String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
                if (fields.length == 1 && fields[0].isEmpty()) {
                    continue;
                }
                int cp = Integer.parseInt(fields[0], 16);
                char latin = fields.length == 2 && fields[1].length() == 1 ? fields[1].charAt(0) : 0;
                // ASCII is read as written: folding it would change what every pattern sees
                if (cp < 0x80 || cp > Character.MAX_CODE_POINT || !(latin >= 'a' && latin <= 'z' || latin >= 'A' && latin <= 'Z')) {
                    throw new IllegalStateException(RESOURCE + ": bad line: " + line);
                }
                if (cp < BMP.length) {
                    BMP[cp] = latin;
                } else {
                    supplementary.put(cp, latin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SUPPLEMENTARY = supplementary.keySet().stream().mapToInt(Integer::intValue).toArray();
        SUPPLEMENTARY_LATIN = new char[SUPPLEMENTARY.length];
        int i = 0;
        for (char c : supplementary.values()) {
            SUPPLEMENTARY_LATIN[i++] = c;
        }
    }

    private Confusables() {
    }

    /** The ASCII letter {@code cp} is drawn as, or 0 when it is none of these. */
    static char latin(int cp) {
        if (cp < BMP.length) {
            return cp < 0 ? 0 : BMP[cp];
        }
        int at = Arrays.binarySearch(SUPPLEMENTARY, cp);
        return at < 0 ? 0 : SUPPLEMENTARY_LATIN[at];
    }

    /** {@code text} with each letter of the table read as its ASCII letter; {@code text} itself when it has none. */
    static String fold(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            char latin = cp < 0x80 ? 0 : latin(cp);
            if (latin != 0 && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (latin != 0) {
                out.append(latin);
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += width;
        }
        return out == null ? text : out.toString();
    }
}
