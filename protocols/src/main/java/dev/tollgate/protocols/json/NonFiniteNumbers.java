package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Finds numbers too large for a double ({@code 1e400}), which Jackson reads as infinity. Written back out,
 * such a value becomes the string {@code "Infinity"}: a tree the gateway rewrites (a filtered tools list)
 * would then hand the client another value than the server sent. The parsed tree is walked rather than the
 * bytes scanned first: a JSON-RPC message has few nodes and long strings, so the walk costs less than a pass
 * over every byte (JFR: the byte scan was 1 % of the full pipeline's event loops), and it can never be wrong.
 */
public final class NonFiniteNumbers {

    /**
     * Largest exponent a zero may be written with ({@code 0e-400}). Every reader takes {@code 0e-1500000000} for 0, but
     * its exact decimal is a zero of scale 1.5 billion, which anything writing it out in plain digits (a detector, a
     * text reading of the policy) would spend seconds and gigabytes on: refused with the numbers beyond a double's range.
     */
    public static final int MAX_ZERO_EXPONENT = 1000;

    private NonFiniteNumbers() {
    }

    /**
     * True when any number in the tree is beyond a double's range: infinite as a double, or not zero but zero as one, or a
     * zero written with a huge exponent.
     */
    static boolean anyIn(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            return !Double.isFinite(d) || d == 0 && !isPlainZero(node.decimalValue());
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

    /** A zero written with an exponent of at most {@link #MAX_ZERO_EXPONENT}: false for anything else, a non-zero included. */
    public static boolean isPlainZero(java.math.BigDecimal exact) {
        return exact.signum() == 0 && Math.abs((long) exact.scale()) <= MAX_ZERO_EXPONENT;
    }
}
