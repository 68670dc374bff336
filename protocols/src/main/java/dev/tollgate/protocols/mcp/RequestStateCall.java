package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The call an MCP 2026-07-28 {@code requestState} belongs to: the request's method, what it names by its method
 * ({@code params.uri} of a {@code resources/read}, {@code params.name} of a {@code tools/call} or {@code prompts/get}; for
 * another method its name, else its uri; null when that is not a string), and a SHA-256 digest of its
 * {@code params.arguments} in a canonical form. A client retries an {@code input_required} call with the same params plus
 * {@code inputResponses} and {@code requestState} (the TypeScript SDK rebuilds the retry from the original params), so the
 * retry names the same call; a state relayed for one call must not resume another, nor the same tool with other
 * arguments (policy decided the arguments, a server that trusts its state acts on the state's).
 *
 * <p>Canonical arguments: object members sorted by name, numbers by value ({@code 1}, {@code 1.0} and {@code 1e0} alike),
 * so a client that re-serializes its arguments still retries; absent and {@code null} arguments differ from {@code {}}.
 *
 * @param argumentsDigest hex SHA-256 of the canonical arguments
 */
public record RequestStateCall(String method, String target, String argumentsDigest) {

    /** The call a request is: {@code params} as the client sent them (may be null). */
    public static RequestStateCall of(String method, JsonNode params) {
        JsonNode name = params == null ? null : params.get("name");
        JsonNode uri = params == null ? null : params.get("uri");
        // By method, as the gateway's Mcp-Name check and policy read the call (review BT): a resources/read is its uri,
        // whatever stray name it carries (the server reads the uri, and a state bound to the name would resume a read of
        // another uri); a tool or a prompt is its name. Another method: its name, else its uri.
        String target = McpMethods.RESOURCES_READ.equals(method) ? textOrNull(uri)
                : McpMethods.TOOLS_CALL.equals(method) || McpMethods.PROMPTS_GET.equals(method) ? textOrNull(name)
                : name != null && name.isTextual() ? name.textValue() : textOrNull(uri);
        JsonNode arguments = params == null ? null : params.get("arguments");
        StringBuilder canonical = new StringBuilder();
        if (arguments == null) {
            canonical.append('-'); // absent: no JSON value reads so
        } else {
            canonical(arguments, canonical);
        }
        return new RequestStateCall(method, target, HexFormat.of().formatHex(sha256(canonical.toString())));
    }

    private static String textOrNull(JsonNode value) {
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** Every part length-prefixed (a null marked apart from ""), so no two calls serialize alike: associated data for a seal. */
    public byte[] bytes() {
        return dev.tollgate.protocols.json.LengthPrefixed.encode(method, target, argumentsDigest);
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                out.append(i == 0 ? "" : ",");
                string(names.get(i), out);
                out.append(':');
                canonical(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(node.get(i), out);
            }
            out.append(']');
        } else if (node.isNumber()) {
            // One spelling per value: the strict parser reads fractions exactly (BigDecimal), integers as integers.
            BigDecimal value = node.decimalValue().stripTrailingZeros();
            out.append(value.signum() == 0 ? "0" : value.toString());
        } else if (node.isTextual()) {
            string(node.textValue(), out);
        } else {
            out.append(node.toString()); // true, false, null
        }
    }

    /** A string as a JSON string literal, every character but the printable ASCII escaped: one spelling per string. */
    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
