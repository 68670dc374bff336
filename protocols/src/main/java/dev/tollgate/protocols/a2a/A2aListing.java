package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.LengthPrefixed;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which listing a ListTasks request asks for, as a digest a page token is sealed with: a token pages on only the listing
 * it was handed out for (review AH). The JavaScript SDK's token is base64({@code timestamp|id}) of the page's last task,
 * whoever's; the agent pages from that task only if it is in the listing the request asks for, else answers an empty
 * page. Replayed under another {@code status}, {@code statusTimestampAfter}, {@code contextId} or tenant, a token handed
 * out on another caller's task told the caller whether that task passes the filter.
 *
 * <p>The digest covers the parameters of A2A's ListTasksRequest that choose which tasks are listed ({@link #BOUND}), as
 * the agent reads them, and not those that only shape the page: {@code pageToken} itself, and {@code pageSize},
 * {@code historyLength} and {@code includeArtifacts}, which the SDK reads after choosing the tasks (how many of those after
 * the token to list, how much history and whether artifacts each listed task shows: {@code InMemoryTaskStore.list},
 * {@code DefaultRequestHandler.listTasks}); AIP-158, which A2A's paging follows, lets the page size change between pages
 * too. Other members or pairs are no ListTasks parameter and are left out (a query may carry anything after them, and a
 * client adding a cache-buster must not end its listing). It also covers the binding and, on HTTP+JSON, the path (the
 * SDK's tenant is the path's {@code /{tenant}/tasks} segment there, its bucket of tasks).
 *
 * <p>A parameter's two spellings ({@code contextId}/{@code context_id}) count as one when only one is sent, or both with the
 * same value, so a client may write either; both with different values are kept apart (agents differ on which wins).
 * Values are compared as sent: {@code "3"} and {@code 3} are different listings, which only refuses, never lets through.
 */
public final class A2aListing {

    /**
     * The parameters that choose which tasks follow the token, in every spelling an agent reads: the SDK's JSON-RPC
     * (ts-proto's fromJSON) reads camel, else snake, its HTTP+JSON camel only, other ProtoJSON readers both.
     */
    public static final Set<String> BOUND = Set.of("tenant", "contextId", "context_id", "status", "statusTimestampAfter",
            "status_timestamp_after");
    /** The second spelling of a parameter the agents read in both (ts-proto's fromJSON reads camel, else snake). */
    private static final Map<String, String> CAMEL_OF = Map.of("context_id", "contextId", "status_timestamp_after", "statusTimestampAfter");

    private A2aListing() {
    }

    /** The listing a JSON-RPC ListTasks asks for: its params (null members are absent, as the SDK reads them). */
    public static byte[] ofParams(JsonNode params) {
        Grouped grouped = new Grouped();
        if (params != null && params.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                JsonNode value = member.getValue();
                if (!value.isNull()) {
                    // The type is part of the value: the SDK reads "3" and 3 as different states.
                    grouped.add(member.getKey(), value.isTextual() ? "s" + value.textValue() : "j" + value);
                }
            }
        }
        return grouped.digest("jsonrpc", null);
    }

    /**
     * The listing an HTTP+JSON {@code GET /tasks} asks for: its path and the pairs of its query naming a {@link #BOUND}
     * parameter, in order (Node reads a repeated key as an array), past Node's 1000 pairs too (other agents read them;
     * {@link A2aQuery} refuses them there). A value that does not decode is taken as written, marked so it cannot equal a decoded one.
     *
     * @param path the request path below the route prefix, without the query
     */
    public static byte[] ofQuery(String path, String rawQuery) {
        Grouped grouped = new Grouped();
        for (A2aQueryPairs.Pair pair : A2aQueryPairs.of(rawQuery)) {
            String key = pair.key();
            if (key == null || !BOUND.contains(key)) {
                continue; // a key that does not decode is no parameter's (Node keeps a literal '%')
            }
            String value;
            try {
                value = "s" + pair.value(rawQuery);
            } catch (A2aInvalidRequest undecodable) {
                value = "%" + pair.rawValue(rawQuery);
            }
            grouped.add(key, value);
        }
        return grouped.digest("http+json", path);
    }

    /** The bound parameters by name, each with its values as sent under each spelling. */
    private static final class Grouped {

        /** Canonical name -> spelling as sent -> values in order. */
        private final Map<String, Map<String, List<String>>> byName = new TreeMap<>();

        void add(String key, String value) {
            if (!BOUND.contains(key)) {
                return;
            }
            byName.computeIfAbsent(CAMEL_OF.getOrDefault(key, key), k -> new TreeMap<>())
                    .computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }

        byte[] digest(String binding, String path) {
            List<String> parts = new ArrayList<>(List.of("binding", binding, "path"));
            parts.add(path);
            for (Map.Entry<String, Map<String, List<String>>> parameter : byName.entrySet()) {
                Map<String, List<String>> spellings = parameter.getValue();
                Map<String, List<String>> entries = new LinkedHashMap<>();
                if (spellings.values().stream().distinct().count() == 1) {
                    entries.put(parameter.getKey(), spellings.values().iterator().next());
                } else {
                    entries.putAll(spellings);
                }
                for (Map.Entry<String, List<String>> entry : entries.entrySet()) {
                    parts.add("param");
                    parts.add(entry.getKey());
                    parts.add(Integer.toString(entry.getValue().size()));
                    parts.addAll(entry.getValue());
                }
            }
            try {
                return MessageDigest.getInstance("SHA-256").digest(LengthPrefixed.encode(parts.toArray(String[]::new)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is unavailable", e);
            }
        }
    }
}
