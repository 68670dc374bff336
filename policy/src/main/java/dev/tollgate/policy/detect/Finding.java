package dev.tollgate.policy.detect;

/**
 * One match in a scanned document: which detector, what kind, where (a JSON pointer to the string and the span in it),
 * and a digest of the matched text so two records of the same secret can be correlated without either holding it.
 * {@code inKey}: the match is in an object key (at {@code pointer}), which redaction cannot replace.
 */
public record Finding(String detector, String kind, String pointer, int start, int end, String digest, boolean inKey) {

    /** A finding in a string value (not in an object key). */
    public Finding(String detector, String kind, String pointer, int start, int end, String digest) {
        this(detector, kind, pointer, start, end, digest, false);
    }
}
