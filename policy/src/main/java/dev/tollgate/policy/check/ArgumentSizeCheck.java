package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code check: {name: argument_size, args: {max_bytes: 65536}}} holds when the call's arguments, as compact
 * JSON in UTF-8, are larger than {@code max_bytes}: a guard against tools fed huge inputs (prompt stuffing,
 * exfiltration through arguments). Absent arguments have size 0.
 *
 * <p>The size is counted by walking the tree, not by serializing it, and the walk stops as soon as the
 * limit is passed, so a small call costs a few field visits and a huge one no more than the limit.
 */
public final class ArgumentSizeCheck implements PolicyCheck {

    public static final String NAME = "argument_size";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompiledCheck compile(JsonNode args) {
        JsonNode max = args == null ? null : args.get("max_bytes");
        if (max == null || !max.isIntegralNumber() || !max.canConvertToLong() || max.longValue() < 0) {
            throw new IllegalArgumentException("argument_size needs args.max_bytes, a non-negative integer");
        }
        if (args.size() != 1) {
            throw new IllegalArgumentException("argument_size takes only max_bytes");
        }
        long limit = max.longValue();
        return request -> {
            JsonNode arguments = request.call().arguments();
            return arguments != null && jsonSize(arguments, limit) > limit;
        };
    }

    /**
     * The UTF-8 length of the node written as compact JSON (as {@code node.toString()} writes it), or some
     * value above {@code limit} as soon as it is certain to exceed it.
     */
    static long jsonSize(JsonNode node, long limit) {
        return size(node, 0, limit);
    }

    private static long size(JsonNode node, long sofar, long limit) {
        if (sofar > limit) {
            return sofar;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                long n = sofar + 2; // {}
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext() && n <= limit; ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    n += (first ? 0 : 1) + stringSize(field.getKey()) + 1; // , "key" :
                    first = false;
                    n = size(field.getValue(), n, limit);
                }
                return n;
            }
            case ARRAY -> {
                long n = sofar + 2; // []
                for (int i = 0; i < node.size() && n <= limit; i++) {
                    n = size(node.get(i), n + (i == 0 ? 0 : 1), limit);
                }
                return n;
            }
            case STRING -> {
                return sofar + stringSize(node.textValue());
            }
            case BOOLEAN -> {
                return sofar + (node.booleanValue() ? 4 : 5);
            }
            case NULL, MISSING -> {
                return sofar + 4;
            }
            case BINARY -> {
                return sofar + 2 + node.asText().length(); // base64 in quotes
            }
            default -> {
                // Numbers and POJOs: rare in arguments, and short.
                return sofar + node.toString().length();
            }
        }
    }

    /** A JSON string literal's UTF-8 length, quotes and escapes included, as Jackson writes it. */
    private static long stringSize(String s) {
        long n = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20) {
                n += switch (c) {
                    case '\b', '\t', '\n', '\f', '\r' -> 2;
                    default -> 6; // backslash, u, four hex digits
                };
            } else if (c == '"' || c == '\\') {
                n += 2;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
