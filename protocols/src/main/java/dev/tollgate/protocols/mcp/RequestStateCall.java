package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The call an MCP 2026-07-28 {@code requestState} belongs to: the request's method, what it names ({@code params.name}
 * of a tool or prompt, else {@code params.uri} of a resource; null when neither is a string), and a SHA-256 digest of its
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
        String target = name != null && name.isTextual() ? name.textValue() : uri != null && uri.isTextual() ? uri.textValue() : null;
        JsonNode arguments = params == null ? null : params.get("arguments");
        StringBuilder canonical = new StringBuilder();
        if (arguments == null) {
            canonical.append('-'); // absent: no JSON value reads so
        } else {
            canonical(arguments, canonical);
        }
        return new RequestStateCall(method, target, HexFormat.of().formatHex(sha256(canonical.toString())));
    }

    /** Every part length-prefixed (a null marked apart from ""), so no two calls serialize alike: associated data for a seal. */
    public byte[] bytes() {
        String[] parts = {method, target, argumentsDigest};
        byte[][] encoded = new byte[parts.length][];
        int size = 0;
        for (int i = 0; i < parts.length; i++) {
            encoded[i] = parts[i] == null ? new byte[0] : parts[i].getBytes(StandardCharsets.UTF_8);
            size += 5 + encoded[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < parts.length; i++) {
            out.put(parts[i] == null ? (byte) 0 : (byte) 1).putInt(encoded[i].length).put(encoded[i]);
        }
        return out.array();
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
