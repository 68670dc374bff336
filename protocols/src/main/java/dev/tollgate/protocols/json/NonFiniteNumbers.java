package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Finds numbers too large for a double ({@code 1e400}), which Jackson reads as infinity. Written back out,
 * such a value becomes the string {@code "Infinity"}: a tree the gateway rewrites (a filtered tools list)
 * would then hand the client another value than the server sent. A float literal overflows only with an
 * exponent or with more digits than a double's range has, so a cheap byte scan decides whether the parsed
 * tree needs to be walked at all.
 */
final class NonFiniteNumbers {

    /** {@code Double.MAX_VALUE} has 309 integer digits; a literal without exponent needs at least that many to overflow. */
    private static final int OVERFLOW_DIGITS = 309;

    private NonFiniteNumbers() {
    }

    /** True when the bytes hold an exponent ({@code e}/{@code E}, optional sign, a digit) or a run of 309 digits. */
    static boolean mayOverflow(byte[] body, int offset, int length) {
        int end = offset + length;
        int digits = 0;
        for (int i = offset; i < end; i++) {
            byte b = body[i];
            if (b >= '0' && b <= '9') {
                if (++digits >= OVERFLOW_DIGITS) {
                    return true;
                }
                continue;
            }
            digits = 0;
            if ((b | 0x20) == 'e' && i + 1 < end) {
                int next = body[i + 1] == '+' || body[i + 1] == '-' ? i + 2 : i + 1;
                if (next < end && body[next] >= '0' && body[next] <= '9') {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when any number in the tree is infinite or NaN. */
    static boolean anyIn(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return !Double.isFinite(node.doubleValue());
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (anyIn(child)) {
                    return true;
                }
            }
        }
        return false;
    }
}
