package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;

/**
 * AGT conditions on {@code tool_name}, {@code method} and {@code spiffe_id} as native {@code tool:},
 * {@code method:} and {@code spiffe_id:}. Those are globs and AGT compares text, so a name with {@code *} or
 * {@code ?} has no native literal and is refused.
 */
final class CallNames {

    private CallNames() {
    }

    static JsonNode translate(ContextField.CallName name, String field, String operator, JsonNode value) {
        return switch (operator) {
            case "eq" -> oneOf(name, List.of(literal(field, value)));
            case "in" -> oneOf(name, literals(field, value));
            // AGT: an absent name matches no operator, ne and not_in included.
            case "ne" -> Nodes.all(present(name), Nodes.not(oneOf(name, List.of(literal(field, value)))));
            case "not_in" -> Nodes.all(present(name), Nodes.not(oneOf(name, literals(field, value))));
            default -> throw new Unconvertible("no native condition tests " + field + " with " + operator
                    + " (native " + name.key() + ": is a glob)");
        };
    }

    private static JsonNode present(ContextField.CallName name) {
        // `*` matches any name, the empty one too; in a SPIFFE ID glob `*` stays in one segment and `**` crosses them.
        return Nodes.single(name.key(), Nodes.F.textNode(name.pathGlob() ? "**" : "*"));
    }

    private static JsonNode oneOf(ContextField.CallName name, List<String> names) {
        if (name.pathGlob() || names.size() == 1) {
            // spiffe_id: takes one pattern: a list is an any of them.
            JsonNode[] each = names.stream().map(n -> Nodes.single(name.key(), Nodes.F.textNode(n))).toArray(JsonNode[]::new);
            return Nodes.any(each);
        }
        ArrayNode list = Nodes.F.arrayNode();
        names.forEach(list::add);
        return Nodes.single(name.key(), list);
    }

    private static List<String> literals(String field, JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            throw new Unconvertible("in/not_in on " + field + " converts only from a non-empty list of names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : value) {
            out.add(literal(field, v));
        }
        return out;
    }

    private static String literal(String field, JsonNode value) {
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new Unconvertible(field + " is compared with " + (value.isTextual() ? "an empty name" : "a non-string")
                    + "; native " + field + " conditions take names");
        }
        String text = value.textValue();
        if (text.indexOf('*') >= 0 || text.indexOf('?') >= 0) {
            throw new Unconvertible(field + " '" + text + "' has glob characters (*, ?): AGT compares them literally,"
                    + " native conditions read them as wildcards");
        }
        return text;
    }
}
