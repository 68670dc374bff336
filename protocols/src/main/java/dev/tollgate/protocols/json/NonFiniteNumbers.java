package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Finds numbers too large for a double ({@code 1e400}), which Jackson reads as infinity. Written back out,
 * such a value becomes the string {@code "Infinity"}: a tree the gateway rewrites (a filtered tools list)
 * would then hand the client another value than the server sent. The parsed tree is walked rather than the
 * bytes scanned first: a JSON-RPC message has few nodes and long strings, so the walk costs less than a pass
 * over every byte (JFR: the byte scan was 1 % of the full pipeline's event loops), and it can never be wrong.
 */
final class NonFiniteNumbers {

    private NonFiniteNumbers() {
    }

    /** True when any number in the tree is beyond a double's range: infinite as a double, or not zero but zero as one. */
    static boolean anyIn(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            return !Double.isFinite(d) || d == 0 && node.decimalValue().signum() != 0;
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
