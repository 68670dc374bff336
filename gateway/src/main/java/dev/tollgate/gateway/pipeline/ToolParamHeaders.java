package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.McpRoutingHeaders;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The MCP 2026-07-28 {@code x-mcp-header} declarations of each route's tools, learnt from the tools lists
 * upstreams send back through the gateway: which argument each {@code Mcp-Param-<Name>} header mirrors.
 * Shared by every event loop; the latest list of a route wins (a tool redefined is relearnt). Bounded: past
 * {@link #MAX_TOOLS_PER_ROUTE} tools a route learns no more, and its unknown tools' headers are refused.
 */
public final class ToolParamHeaders {

    /** The most tools whose declarations are kept per route. */
    static final int MAX_TOOLS_PER_ROUTE = 4096;
    /** How deep a chain of {@code properties} a declaration may sit (as the SDK scans). */
    private static final int MAX_PROPERTY_DEPTH = 8;

    /**
     * @param headerName the {@code <Name>} of {@code Mcp-Param-<Name>}, lower-cased (headers compare case-insensitively)
     * @param path       the argument it mirrors, from the arguments root
     * @param type       the property's JSON Schema type (integers and numbers compare by value)
     */
    record Declaration(String headerName, List<String> path, String type) {
    }

    private static final String PREFIX = "Mcp-Param-";
    private static final Pattern CANONICAL_DECIMAL = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?");

    private final Map<String, Map<String, List<Declaration>>> byRoute = new ConcurrentHashMap<>();

    /** Learns the declarations of every tool in a {@code tools/list} result's tools array. */
    void learn(String route, JsonNode tools) {
        Map<String, List<Declaration>> known = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        for (JsonNode tool : tools) {
            JsonNode name = tool.path("name");
            if (!name.isTextual() || known.size() >= MAX_TOOLS_PER_ROUTE && !known.containsKey(name.textValue())) {
                continue;
            }
            List<Declaration> declarations = new ArrayList<>();
            scan(tool.path("inputSchema"), new ArrayList<>(), declarations, 0);
            known.put(name.textValue(), List.copyOf(declarations));
        }
    }

    /** The declarations of a tool, or null when no tools list naming it has passed through this route. */
    List<Declaration> of(String route, String tool) {
        Map<String, List<Declaration>> known = byRoute.get(route);
        return known == null ? null : known.get(tool);
    }

    /**
     * Why a call's {@code Mcp-Param-*} headers disagree with its arguments, or null. Stricter than the SDK
     * server, which ignores a header whose argument is absent: an intermediary routing on that header would
     * act on a value the call does not carry. A tool whose declarations were never seen here cannot be
     * checked, so its headers are refused (the SDK v2 client answers -32020 by retrying without them).
     *
     * @param headerNames every request header name
     * @param headers     every value of a header, by name
     */
    String mismatch(String route, JsonRpcMessage message, Iterable<String> headerNames, Function<String, List<String>> headers) {
        Map<String, String> sent = new HashMap<>();
        for (String name : headerNames) {
            if (name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                List<String> values = headers.apply(name);
                if (values.size() > 1 || sent.containsKey(name.substring(PREFIX.length()).toLowerCase(Locale.ROOT))) {
                    return "more than one " + name + " header";
                }
                sent.put(name.substring(PREFIX.length()).toLowerCase(Locale.ROOT), values.get(0));
            }
        }
        if (!(message instanceof JsonRpcRequest request && McpMethods.TOOLS_CALL.equals(request.method()))) {
            return sent.isEmpty() ? null : "Mcp-Param-* headers on a message that is not a tools/call";
        }
        JsonNode tool = request.params() == null ? null : request.params().get("name");
        List<Declaration> declarations = tool == null || !tool.isTextual() ? null : of(route, tool.textValue());
        if (declarations == null) {
            return sent.isEmpty() ? null : "Mcp-Param-* headers for a tool whose x-mcp-header declarations have not been listed through the gateway";
        }
        JsonNode arguments = request.params().path("arguments");
        for (Declaration declaration : declarations) {
            JsonNode value = arguments;
            for (String step : declaration.path()) {
                value = value.path(step);
            }
            String header = sent.remove(declaration.headerName());
            String headerName = PREFIX + declaration.headerName();
            if (value.isMissingNode() || value.isNull()) {
                if (header != null) {
                    return "the " + headerName + " header names a value but the argument " + String.join(".", declaration.path()) + " is absent";
                }
                continue;
            }
            if (!value.isValueNode()) {
                continue; // not a primitive: the upstream's params validation refuses it
            }
            if (header == null) {
                return "the body carries " + String.join(".", declaration.path()) + " but the " + headerName + " header is absent";
            }
            String decoded = McpRoutingHeaders.decode(McpRoutingHeaders.stripOws(header));
            if (decoded == null) {
                return "the " + headerName + " header carries an invalid base64 sentinel value";
            }
            if (!sameValue(decoded, value, declaration.type())) {
                return "the " + headerName + " header disagrees with the argument " + String.join(".", declaration.path());
            }
        }
        return sent.isEmpty() ? null : "Mcp-Param-" + sent.keySet().iterator().next() + " mirrors no declared argument of the tool";
    }

    /** As the SDK compares: numbers by value when the declaration is numeric and the header a plain decimal, else as text. */
    private static boolean sameValue(String header, JsonNode value, String type) {
        if ((type.equals("integer") || type.equals("number")) && value.isNumber() && CANONICAL_DECIMAL.matcher(header).matches()) {
            return new BigDecimal(header).compareTo(value.decimalValue()) == 0;
        }
        return header.equals(value.asText());
    }

    private static void scan(JsonNode schema, List<String> path, List<Declaration> out, int depth) {
        JsonNode properties = schema.path("properties");
        if (!properties.isObject() || depth >= MAX_PROPERTY_DEPTH) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            List<String> at = new ArrayList<>(path);
            at.add(property.getKey());
            JsonNode header = property.getValue().path("x-mcp-header");
            if (header.isTextual() && !header.textValue().isEmpty()) {
                out.add(new Declaration(header.textValue().toLowerCase(Locale.ROOT), List.copyOf(at), property.getValue().path("type").asText("")));
            }
            scan(property.getValue(), at, out, depth + 1);
        }
    }
}
