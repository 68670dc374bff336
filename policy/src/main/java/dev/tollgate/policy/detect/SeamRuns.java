package dev.tollgate.policy.detect;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Where a reading with marks taken out ({@link MarkupReading}) can match a rule otherwise than the string as written:
 * in the runs of the rule's alphabet (the characters its matches are made of) that a mark was taken out of or beside.
 * A match holds only those characters, so it lies in one run; a run no mark touched reads as written, character for
 * character and with the same neighbours, which the string's own reading reads. So {@code 4111<b></b>1111 1111 1111} is
 * read as the run {@code 4111 1111 1111 1111} and its two neighbours, and a Markdown page whose marks sit between
 * words of no rule's run costs next to nothing: each window read is charged as any is (the budget bounds matching,
 * and this reads less, not cheaper).
 */
final class SeamRuns {

    private SeamRuns() {
    }

    /**
     * The windows to read, as {start, end} pairs of the normalized text, merged: each run touching a seam with one
     * character of context on either side (a pattern's {@code \b} or {@code [^0-9]} reads it as in the whole text). With
     * {@code literals}, only runs holding one of them (every match holds one).
     */
    static int[] windows(TextView text, IntPredicate alphabet, PatternDetector.Literals literals) {
        String s = text.normalized();
        int n = s.length();
        String lower = literals == null ? null : text.lower();
        boolean lined = lower != null && lower.length() == n;
        int[] out = new int[8];
        int count = 0;
        int covered = -1;
        for (int seam : text.normalizedSeams()) {
            if (seam <= covered) {
                continue; // in the run just read (each character is looked at a bounded number of times)
            }
            boolean left = seam > 0 && alphabet.test(s.charAt(seam - 1));
            if (!left && (seam >= n || !alphabet.test(s.charAt(seam)))) {
                continue; // between two characters no match holds: the matches on either side read as written
            }
            int start = seam;
            while (start > 0 && alphabet.test(s.charAt(start - 1))) {
                start--;
            }
            int end = seam;
            while (end < n && alphabet.test(s.charAt(end))) {
                end++;
            }
            covered = end;
            int from = Math.max(0, start - 1);
            int to = Math.min(n, end + 1);
            if (lined && !holdsLiteral(lower, from, to, literals)) {
                continue;
            }
            if (count > 0 && from <= out[count - 1]) {
                out[count - 1] = Math.max(out[count - 1], to);
            } else {
                if (count == out.length) {
                    out = Arrays.copyOf(out, count * 2);
                }
                out[count++] = from;
                out[count++] = to;
            }
        }
        return Arrays.copyOf(out, count);
    }

    private static boolean holdsLiteral(String lower, int from, int to, PatternDetector.Literals literals) {
        for (String literal : literals.literals()) {
            for (int i = from; i + literal.length() <= to; i++) {
                if (lower.startsWith(literal, i)) {
                    return true;
                }
            }
        }
        return false;
    }
}
