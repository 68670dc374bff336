package dev.tollgate.policy.detect;

/**
 * One match in a scanned document: which detector, what kind, where (a JSON pointer to the string and the span in it),
 * and a digest of the matched text so two records of the same secret can be correlated without either holding it.
 * {@code inKey}: the match is in an object key (at {@code pointer}), which redaction cannot replace. {@code encoded}: the
 * match is in the text a base64 string at {@code pointer} decodes to (a text blob), which redaction cannot replace either.
 */
public record Finding(String detector, String kind, String pointer, int start, int end, String digest, boolean inKey, boolean encoded) {

    /** A finding in a string value or key as it is written (not encoded). */
    public Finding(String detector, String kind, String pointer, int start, int end, String digest, boolean inKey) {
        this(detector, kind, pointer, start, end, digest, inKey, false);
    }

    /** A finding in a string value (not in an object key). */
    public Finding(String detector, String kind, String pointer, int start, int end, String digest) {
        this(detector, kind, pointer, start, end, digest, false);
    }
}
