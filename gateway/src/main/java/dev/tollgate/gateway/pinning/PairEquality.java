package dev.tollgate.gateway.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * {@link JsonNode#equals} for the node pairs of one diff, each large pair compared once. The diff asks whether a pair is
 * equal before it descends into it, at every level down to a change, so a plain deep {@code equals} compared a large
 * equal member beside a deeply nested change once per level (review AI: 114 comparisons per node at 55 levels). Here the
 * answer for a pair whose comparison visited {@link #REMEMBERED_FROM_NODES} nodes or more is kept, so asking again costs
 * one lookup, and the nodes visited by all questions together stay within a small multiple of the definitions' size.
 *
 * <p>One per diff: it holds the pairs it was asked about (by the identity of their nodes) until the diff is done.
 */
final class PairEquality {

    /**
     * Pairs at least this large are remembered: fewer entries than nodes by this factor per level of nesting, while
     * a smaller pair costs less than this to compare again.
     */
    static final int REMEMBERED_FROM_NODES = 256;

    /** What was found for a pair: {@code before} is the map's key, compared by identity. */
    private record Known(JsonNode after, boolean equal) {
    }

    private final IdentityHashMap<JsonNode, Known> known = new IdentityHashMap<>();
    /** Nodes visited so far, all questions together. */
    private long visited;

    /** As {@code before.equals(after)}, null equal only to null. */
    boolean same(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return before == after;
        }
        return equal(before, after);
    }

    /** Nodes visited so far (for tests). */
    long visited() {
        return visited;
    }

    private boolean equal(JsonNode before, JsonNode after) {
        visited++;
        if (before == after) {
            return true; // as JsonNode.equals
        }
        if (!before.isContainerNode() || !after.isContainerNode()) {
            return before.equals(after); // a value, or a container against a value: no walk
        }
        Known answer = known.get(before);
        if (answer != null && answer.after == after) {
            return answer.equal;
        }
        long from = visited;
        boolean equal = before.isObject() ? objectsEqual(before, after) : arraysEqual(before, after);
        if (visited - from >= REMEMBERED_FROM_NODES) {
            known.put(before, new Known(after, equal));
        }
        return equal;
    }

    /** As ObjectNode.equals: the same names, each with an equal value, in any order. */
    private boolean objectsEqual(JsonNode before, JsonNode after) {
        if (!after.isObject() || before.size() != after.size()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = before.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            JsonNode other = after.get(member.getKey());
            if (other == null || !equal(member.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    /** As ArrayNode.equals: the same length, equal items in order. */
    private boolean arraysEqual(JsonNode before, JsonNode after) {
        if (!after.isArray() || before.size() != after.size()) {
            return false;
        }
        for (int i = 0; i < before.size(); i++) {
            if (!equal(before.get(i), after.get(i))) {
                return false;
            }
        }
        return true;
    }
}
