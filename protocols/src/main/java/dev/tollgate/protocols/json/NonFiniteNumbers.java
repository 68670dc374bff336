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
