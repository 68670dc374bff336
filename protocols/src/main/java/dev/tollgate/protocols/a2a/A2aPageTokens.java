package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
     * does not decode is kept as written by Node, so it is never the token's.
     */
    public static Named inQuery(String rawQuery) throws A2aInvalidRequest {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        Named named = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decodedOrNull(eq < 0 ? pair : pair.substring(0, eq));
            if (key == null || !REQUEST_MEMBERS.contains(key)) {
                continue;
            }
            if (named != null) {
                // Node hands the agent an array of tokens: no single page to open.
                throw new A2aInvalidRequest("the query names the page token more than once");
            }
            named = new Named(key, TextNode.valueOf(eq < 0 ? "" : decoded(pair.substring(eq + 1))));
        }
        return named == null || named.value().textValue().isEmpty() ? null : named;
    }

    /**
     * The query with the page token {@code key} names replaced by {@code token}: every other pair as the client wrote it,
     * then {@code key=token}, percent-encoded (a base64 token holds {@code +}, {@code /} and {@code =}).
     */
    public static String queryWith(String rawQuery, String key, String token) {
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery == null || rawQuery.isEmpty() ? new String[0] : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (!key.equals(decodedOrNull(eq < 0 ? pair : pair.substring(0, eq)))) {
                kept.add(pair);
            }
        }
        kept.add(URLEncoder.encode(key, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        return String.join("&", kept);
    }

    private static String decodedOrNull(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String decoded(String text) throws A2aInvalidRequest {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new A2aInvalidRequest("malformed percent-encoding in the query: " + text);
        }
    }
}
