package dev.tollgate.policy.detect;

/**
 * One match in a scanned document: which detector, what kind, where (a JSON pointer to the string and the span in it),
 * and a digest of the matched text so two records of the same secret can be correlated without either holding it.
 */
public record Finding(String detector, String kind, String pointer, int start, int end, String digest) {
}
