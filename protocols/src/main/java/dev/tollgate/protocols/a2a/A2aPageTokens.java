package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where a ListTasks request names the page it asks for, read as the JavaScript SDK ({@code @a2a-js/sdk} 1.3.0) reads it:
 * JSON-RPC params {@code pageToken}, else {@code page_token} (ts-proto's {@code fromJSON}: a null member is absent, an empty
 * one is the first page); the HTTP+JSON query's {@code pageToken} (Node's {@code querystring}, as {@link A2aQuery} reads it;
 * {@code page_token} too, which other HTTP+JSON servers read). Both names given at once, or a query naming the token
 * twice, is refused: readers differ on which one wins. Also writes the query the agent gets with another token in place.
 */
public final class A2aPageTokens {

    /** The members a ListTasks answer names the next page in (the SDK writes the first; other ProtoJSON writers the second). */
    public static final List<String> NEXT_PAGE_MEMBERS = List.of("nextPageToken", "next_page_token");
    private static final List<String> REQUEST_MEMBERS = List.of("pageToken", "page_token");

    private A2aPageTokens() {
    }

    /**
     * The page token a request names.
     *
     * @param member the params member or query key that names it, as the client spelt it
     * @param value  the value as sent (the caller checks it is a string)
     */
    public record Named(String member, JsonNode value) {
    }

    /**
     * The page token JSON-RPC params name; null when none does (absent, null, or the empty string: the first page).
     * Good: {@code {"pageToken":"abc"}}, {@code {"page_token":"abc"}}, {@code {"pageToken":""}} (none).
     * Refused: {@code {"pageToken":"a","page_token":"b"}} (the SDK reads the first, other readers the second).
     */
    public static Named inParams(JsonNode params) throws A2aInvalidRequest {
        if (params == null || !params.isObject()) {
            return null;
        }
        Named named = null;
        for (String member : REQUEST_MEMBERS) {
            JsonNode value = params.get(member);
            if (value == null || value.isNull()) {
                continue;
            }
            if (named != null) {
                throw new A2aInvalidRequest("pageToken and page_token both name a page; send one of them");
            }
            named = new Named(member, value);
        }
        return named == null || named.value().isTextual() && named.value().textValue().isEmpty() ? null : named;
    }

    /**
     * The page token an HTTP+JSON {@code GET /tasks} query names; null when none does (absent or empty). A key that
     * does not decode is kept as written by Node, so it is never the token's. A token named after the pairs Node reads
     * is refused ({@link A2aQueryPairs#requireReadByNode}).
     */
    public static Named inQuery(String rawQuery) throws A2aInvalidRequest {
        A2aQueryPairs.Pair pair = tokenPair(rawQuery);
        if (pair == null) {
            return null;
        }
        String value = pair.value(rawQuery);
        return value.isEmpty() ? null : new Named(pair.key(), TextNode.valueOf(value));
    }

    /**
     * The query with the value of the pair naming the page token replaced by {@code token}, percent-encoded (a base64
     * token holds {@code +}, {@code /} and {@code =}), where the client wrote it: every other byte as the client sent it,
     * empty and trailing pairs included. Appended after the other pairs (review AH), the token could fall past the 1000
     * pairs Node reads, and the agent listed the first page again.
     *
     * @throws A2aInvalidRequest when the query names no token, or names it more than once
     */
    public static String queryWith(String rawQuery, String token) throws A2aInvalidRequest {
        A2aQueryPairs.Pair pair = tokenPair(rawQuery);
        if (pair == null) {
            throw new A2aInvalidRequest("the query names no page token");
        }
        String encoded = URLEncoder.encode(token, StandardCharsets.UTF_8);
        // A pair written "pageToken" alone (no '=') gets one: Node reads it as "" otherwise.
        return pair.eq() < 0 ? rawQuery.substring(0, pair.end()) + "=" + encoded + rawQuery.substring(pair.end())
                : rawQuery.substring(0, pair.eq()) + encoded + rawQuery.substring(pair.end());
    }

    /** The one pair naming the page token (either spelling); null when none does. */
    private static A2aQueryPairs.Pair tokenPair(String rawQuery) throws A2aInvalidRequest {
        List<A2aQueryPairs.Pair> pairs = A2aQueryPairs.of(rawQuery);
        A2aQueryPairs.requireReadByNode(pairs, REQUEST_MEMBERS);
        A2aQueryPairs.Pair named = null;
        for (A2aQueryPairs.Pair pair : pairs) {
            if (pair.key() == null || !REQUEST_MEMBERS.contains(pair.key())) {
                continue;
            }
            if (named != null) {
                // Node hands the agent an array of tokens: no single page to open.
                throw new A2aInvalidRequest("the query names the page token more than once");
            }
            named = pair;
        }
        return named;
    }
}
