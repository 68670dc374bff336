package dev.tollgate.gateway.telemetry;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Replaces configured JSON pointers in tool arguments with {@code "[REDACTED]"} before they are recorded
 * anywhere (spans, audit). Works on a copy: the arguments forwarded upstream are never touched.
 */
public final class ArgumentRedactor {

    public static final String REDACTED = "[REDACTED]";

    private final List<JsonPointer> paths;

    public ArgumentRedactor(List<String> paths) {
        this.paths = paths.stream().map(JsonPointer::compile).toList();
    }

    public JsonNode redact(JsonNode arguments) {
        if (arguments == null || paths.isEmpty()) {
            return arguments;
        }
        JsonNode copy = arguments.deepCopy();
        for (JsonPointer path : paths) {
            JsonNode parent = copy.at(path.head());
            String last = path.last().getMatchingProperty();
            if (parent instanceof ObjectNode object && object.has(last)) {
                object.put(last, REDACTED);
            } else if (parent instanceof ArrayNode array && path.last().mayMatchElement()
                    && path.last().getMatchingIndex() < array.size()) {
                array.set(path.last().getMatchingIndex(), array.textNode(REDACTED));
            }
        }
        return copy;
    }
}
