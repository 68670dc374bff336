package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * MCP 2026-07-28 routing headers against the body they summarise. An intermediary (a load balancer, a WAF,
 * the upstream's own router) may act on {@code Mcp-Method} and {@code Mcp-Name} without reading the body, so
 * a request whose headers name one call while its body makes another must never pass the gateway, whatever
 * the upstream would do with it. Rules as the SDK v2 server applies them ({@code validateStandardRequestHeaders}):
 * surrounding spaces and tabs are stripped; {@code Mcp-Name} may be {@code =?base64?...?=} (canonical, padded
 * base64 of UTF-8); comparison is exact (case-sensitive). A request carrying the 2026 envelope
 * ({@code params._meta["io.modelcontextprotocol/protocolVersion"]}) must carry all three headers; any other
 * request is checked only for the headers it sends.
 */
public final class McpRoutingHeaders {

    public static final String MCP_METHOD = "Mcp-Method";
    public static final String MCP_NAME = "Mcp-Name";
    public static final String PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion";

    private static final String SENTINEL_PREFIX = "=?base64?";
    private static final String SENTINEL_SUFFIX = "?=";
    private static final Pattern CANONICAL_BASE64 = Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
    /** The body member Mcp-Name mirrors, per method. */
    private static final Map<String, String> NAME_SOURCE = Map.of(
            McpMethods.TOOLS_CALL, "name", "prompts/get", "name", "resources/read", "uri",
            "tasks/get", "taskId", "tasks/update", "taskId", "tasks/cancel", "taskId");

    private McpRoutingHeaders() {
    }

    /** The 2026 envelope's protocol version, or null when the message does not carry one. */
    public static String envelopeVersion(JsonRpcMessage message) {
        JsonNode params = message instanceof JsonRpcRequest r ? r.params() : message instanceof JsonRpcNotification n ? n.params() : null;
        JsonNode version = params == null ? null : params.path("_meta").get(PROTOCOL_VERSION_META_KEY);
        return version != null && version.isTextual() ? version.textValue() : null;
    }

    /**
     * Why the headers disagree with the message, or null when they agree.
     *
     * @param headers every value of a header, by name (case-insensitive); an empty list when absent
     */
    public static String mismatch(JsonRpcMessage message, Function<String, List<String>> headers) {
        String method = message instanceof JsonRpcRequest r ? r.method() : message instanceof JsonRpcNotification n ? n.method() : null;
        JsonNode params = message instanceof JsonRpcRequest r ? r.params() : message instanceof JsonRpcNotification n ? n.params() : null;
        String envelope = envelopeVersion(message);
        boolean required = envelope != null;

        for (String name : List.of(McpHeaders.PROTOCOL_VERSION, MCP_METHOD, MCP_NAME)) {
            List<String> values = headers.apply(name);
            if (values != null && values.size() > 1) {
                // Parsers disagree on repeated headers (first, last, or joined with a comma).
                return "more than one " + name + " header";
            }
        }
        String version = single(headers, McpHeaders.PROTOCOL_VERSION);
        if (envelope != null && !envelope.equals(version == null ? null : stripOws(version))) {
            return version == null ? "the body names protocol version " + envelope + " but the MCP-Protocol-Version header is absent"
                    : "the body names protocol version " + envelope + " but the MCP-Protocol-Version header names " + printable(version);
        }

        String methodHeader = single(headers, MCP_METHOD);
        if (methodHeader == null) {
            if (required && method != null) {
                return "the body names method " + method + " but the Mcp-Method header is absent";
            }
        } else if (method == null || !method.equals(stripOws(methodHeader))) {
            return "the body names method " + method + " but the Mcp-Method header names " + printable(methodHeader);
        }

        String nameHeader = single(headers, MCP_NAME);
        String source = method == null ? null : NAME_SOURCE.get(method);
        JsonNode field = source == null || params == null ? null : params.get(source);
        String bodyName = field != null && field.isTextual() ? field.textValue() : null;
        if (nameHeader == null) {
            return required && bodyName != null ? "the body carries params." + source + " but the Mcp-Name header is absent" : null;
        }
        String decoded = decode(stripOws(nameHeader));
        if (decoded == null) {
            return "the Mcp-Name header carries an invalid base64 sentinel value";
        }
        if (bodyName == null) {
            return "the Mcp-Name header names " + printable(decoded) + " but the body carries no name for it";
        }
        return bodyName.equals(decoded) ? null
                : "the body carries params." + source + "=" + printable(bodyName) + " but the Mcp-Name header names " + printable(decoded);
    }

    /**
     * A header value as sent: the sentinel decoded, or the value itself; null when the sentinel is malformed (not
     * canonical base64, not UTF-8, or decoding to text that starts with a byte-order mark).
     */
    public static String decode(String value) {
        if (!value.startsWith(SENTINEL_PREFIX) || !value.endsWith(SENTINEL_SUFFIX)) {
            return value;
        }
        if (value.length() < SENTINEL_PREFIX.length() + SENTINEL_SUFFIX.length()) {
            // "=?base64?=": prefix and suffix share the '='. The SDK v2 server's decoder reads it as the empty string,
            // a literal reading as itself: a value naming two things is malformed.
            return null;
        }
        String payload = value.substring(SENTINEL_PREFIX.length(), value.length() - SENTINEL_SUFFIX.length());
        if (!CANONICAL_BASE64.matcher(payload).matches()) {
            return null;
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(payload))).toString();
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return null;
        }
        // A leading byte-order mark is kept by this decoder and dropped by the WHATWG TextDecoder the SDK v2 server (and
        // any JavaScript router) uses: one header, two names (review AE). Such a value is malformed here.
        return decoded.startsWith("\uFEFF") ? null : decoded;
    }

    /** The header's one value, or null when absent (repeats are refused before this is asked). */
    private static String single(Function<String, List<String>> headers, String name) {
        List<String> values = headers.apply(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public static String stripOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    private static String printable(String value) {
        String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        StringBuilder out = new StringBuilder("\"");
        cut.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '"' ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.append('"').toString();
    }
}
