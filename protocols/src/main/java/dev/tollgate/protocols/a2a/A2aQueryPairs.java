package dev.tollgate.protocols.a2a;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An HTTP+JSON query split into its {@code &}-separated pairs as Node's {@code querystring.parse} (Express 5's "simple"
 * query parser, which the JavaScript SDK's agent reads {@code GET /tasks} with) splits it: every pair with where it lies
 * in the query, so a pair can be rewritten in place and every other byte kept. Node reads only the first
 * {@value #NODE_MAX_PAIRS} pairs, empty ones included; other servers read them all.
 */
public final class A2aQueryPairs {

    /** Node's {@code querystring.parse} default {@code maxKeys}: pairs after this many (empty ones count) are not read. */
    public static final int NODE_MAX_PAIRS = 1000;

    private A2aQueryPairs() {
    }

    /**
     * One pair.
     *
     * @param position 1 for the first pair; Node reads those up to {@value #NODE_MAX_PAIRS}
     * @param start    where the pair starts in the raw query
     * @param end      where it ends (the next {@code &}, or the end of the query)
     * @param key      the key percent-decoded ({@code +} a space), or null when it does not decode (Node then keeps a
     *                 literal {@code %}, so such a key is never a parameter's name)
     * @param eq       where the value starts (after the first {@code =}), or -1 when the pair has none
     */
    public record Pair(int position, int start, int end, String key, int eq) {

        /** The value as written, not decoded; "" when the pair has no {@code =} (Node reads it so). */
        public String rawValue(String query) {
            return eq < 0 ? "" : query.substring(eq, end);
        }

        /** The value percent-decoded; refused when it does not decode (the gateway would read another value than Node). */
        public String value(String query) throws A2aInvalidRequest {
            String raw = rawValue(query);
            try {
                return URLDecoder.decode(raw, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new A2aInvalidRequest("malformed percent-encoding in the query: " + raw);
            }
        }
    }

    /**
     * Every pair of the query, in order, empty ones too (trailing ones included: {@code String.split} would drop them and
     * shift nothing but what the gateway writes back). None for a null or empty query.
     */
    public static List<Pair> of(String rawQuery) {
        List<Pair> pairs = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return pairs;
        }
        int start = 0;
        int eq = -1;
        // One pass: a pair ends at the next '&'; its value starts after its first '='.
        for (int i = 0; i <= rawQuery.length(); i++) {
            char c = i == rawQuery.length() ? '&' : rawQuery.charAt(i);
            if (c == '=' && eq < 0) {
                eq = i + 1;
            } else if (c == '&') {
                String key = decodedOrNull(rawQuery.substring(start, eq < 0 ? i : eq - 1));
                pairs.add(new Pair(pairs.size() + 1, start, i, key, eq));
                start = i + 1;
                eq = -1;
            }
        }
        return pairs;
    }

    /**
     * Refuses a query naming one of {@code keys} after its first {@value #NODE_MAX_PAIRS} pairs: the SDK's agent never
     * reads it there and another agent does, so the gateway would decide on a value the agent does not read (or the
     * other way round). A query that is merely long is not refused: Node skips what lies past the cut, and so may we.
     */
    public static void requireReadByNode(List<Pair> pairs, Collection<String> keys) throws A2aInvalidRequest {
        for (int i = NODE_MAX_PAIRS; i < pairs.size(); i++) {
            Pair pair = pairs.get(i);
            if (pair.key() != null && keys.contains(pair.key())) {
                throw new A2aInvalidRequest("the query names " + pair.key() + " after its first " + NODE_MAX_PAIRS
                        + " pairs, where Node's querystring (the agent's) stops reading; name it among the first " + NODE_MAX_PAIRS);
            }
        }
    }

    private static String decodedOrNull(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
