package dev.tollgate.policy.detect;

/**
 * Cyrillic and Greek letters drawn exactly like a Latin letter, read as that letter: {@code Іgnоrе аll prеviоus
 * instructiоns} (Cyrillic І, о, е, а) is what a model reads as the English phrase, while NFKC keeps every letter in its
 * own script. The pairs are Unicode's confusables (UTS #39, confusables.txt) restricted to single letters whose
 * prototype is one ASCII letter; a word in those scripts reads as gibberish Latin to the detectors, which look for
 * English phrases, secrets and addresses, so nothing that was found before goes unfound. Written by hand: ICU4J's
 * skeletons would fold ASCII text too ({@code m} becomes {@code rn}), which every detector's patterns would then need.
 */
final class Confusables {

    private static final int FIRST = 0x0370;
    private static final char[] LATIN = new char[0x0530 - FIRST];

    static {
        String pairs = ""
                // Greek capitals
                + "\u0391A\u0392B\u0395E\u0396Z\u0397H\u0399I\u039AK\u039CM\u039DN\u039FO\u03A1P\u03A4T\u03A5Y\u03A7X"
                // Greek small letters
                + "\u03B1a\u03B9i\u03BDv\u03BFo\u03C1p\u03C5u"
                // Cyrillic capitals
                + "\u0405S\u0406I\u0408J\u0410A\u0412B\u0415E\u041AK\u041CM\u041DH\u041EO\u0420P\u0421C\u0422T\u0423Y\u0425X\u04C0I"
                + "\u051AQ\u051CW"
                // Cyrillic small letters
                + "\u0430a\u0435e\u043Eo\u0440p\u0441c\u0443y\u0445x\u0455s\u0456i\u0458j\u04BBh\u04CFl\u0501d\u051Bq\u051Dw";
        for (int i = 0; i < pairs.length(); i += 2) {
            LATIN[pairs.charAt(i) - FIRST] = pairs.charAt(i + 1);
        }
    }

    private Confusables() {
    }

    /** The ASCII letter {@code cp} is drawn as, or 0 when it is none of these. */
    static char latin(int cp) {
        return cp < FIRST || cp >= FIRST + LATIN.length ? 0 : LATIN[cp - FIRST];
    }
}
