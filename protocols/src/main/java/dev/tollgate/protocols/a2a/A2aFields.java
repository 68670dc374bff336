package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * String members of an A2A request as an agent reads them, refused where two readers could disagree. The JavaScript SDK
 * (ts-proto, {@code @a2a-js/sdk} 1.3.0) reads {@code String(value)} of whatever JSON a member holds ({@code ["t-1"]} is
 * {@code "t-1"}, {@code 7} is {@code "7"}), reads a null member as absent, and reads the proto's snake_case name
 * ({@code task_id}) when the camelCase one ({@code taskId}) is absent or null. So an id must be a non-empty string here,
 * the snake_case name is read as the SDK reads it, and the two names of one field must not name different values (other
 * ProtoJSON readers refuse both, or take the other one).
 */
final class A2aFields {

    private A2aFields() {
    }

    /**
     * An id ({@code taskId}, {@code contextId}, {@code messageId}, a config id): null when absent or null.
     * Good: {@code {"taskId":"t-1"}}, {@code {"task_id":"t-1"}}, {@code {"taskId":null,"task_id":"t-1"}} (all t-1).
     * Refused: {@code {"taskId":["t-1"]}}, {@code {"taskId":""}}, {@code {"taskId":"a","task_id":"b"}}.
     *
     * @param snake the snake_case name, or null when the field has none (or is one word)
     */
    static String id(JsonNode node, String camel, String snake) throws A2aInvalidRequest {
        String first = idMember(node, camel);
        String second = snake == null ? null : idMember(node, snake);
        if (first != null && second != null && !first.equals(second)) {
            throw new A2aInvalidRequest(camel + " and " + snake + " name different ids; send one of them");
        }
        return first != null ? first : second;
    }

    /** A list of ids ({@code referenceTaskIds}): empty when absent or null; a present list holds non-empty strings only. */
    static List<String> ids(JsonNode node, String camel, String snake) throws A2aInvalidRequest {
        List<String> ids = agreeing(node, camel, snake, true);
        return ids != null ? ids : List.of();
    }

    /**
     * A list of strings that are not ids ({@code acceptedOutputModes}): null when absent or null; a present list holds
     * strings only (the SDK's {@code String(e)} of anything else is a value no rule saw), and its two spellings must agree.
     */
    static List<String> strings(JsonNode node, String camel, String snake) throws A2aInvalidRequest {
        return agreeing(node, camel, snake, false);
    }

    /** The list under camel, else snake; both present and different is refused (the agent reads the first). */
    private static List<String> agreeing(JsonNode node, String camel, String snake, boolean ids) throws A2aInvalidRequest {
        List<String> first = list(node, camel, ids);
        List<String> second = list(node, snake, ids);
        if (first != null && second != null && !first.equals(second)) {
            throw new A2aInvalidRequest(camel + " and " + snake + (ids ? " name different ids" : " differ") + "; send one of them");
        }
        return first != null ? first : second;
    }

    /**
     * A string that is not an id ({@code mediaType}, {@code filename}, a URL): null when absent, null or empty; anything
     * but a string is refused, as its {@code String(value)} would be a value no rule saw. The SDK reads the camelCase
     * name whenever it is not null, an empty one too, so an empty camelCase beside a snake_case value is two values
     * (review DC: {@code {"mediaType":"","media_type":"text/plain"}} was decided as text/plain, read as none).
     */
    static String string(JsonNode node, String camel, String snake) throws A2aInvalidRequest {
        String first = stringMember(node, camel);
        String second = snake == null ? null : stringMember(node, snake);
        if (first != null && second != null && !first.equals(second)) {
            throw new A2aInvalidRequest(camel + " and " + snake + " differ; send one of them");
        }
        String read = first != null ? first : second;
        return read == null || read.isEmpty() ? null : read;
    }

    private static String idMember(JsonNode node, String name) throws A2aInvalidRequest {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new A2aInvalidRequest(name + " must be a non-empty string");
        }
        return value.textValue();
    }

    /** A list of strings (ids: non-empty ones); null when absent or null. */
    private static List<String> list(JsonNode node, String name, boolean ids) throws A2aInvalidRequest {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new A2aInvalidRequest(name + (ids ? " must be a list of ids" : " must be a list of strings"));
        }
        List<String> out = new ArrayList<>(value.size());
        for (JsonNode element : value) {
            if (!element.isTextual() || ids && element.textValue().isEmpty()) {
                throw new A2aInvalidRequest(name + (ids ? " must hold non-empty strings only" : " must hold strings only"));
            }
            out.add(element.textValue());
        }
        return out;
    }

    private static String stringMember(JsonNode node, String name) throws A2aInvalidRequest {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new A2aInvalidRequest(name + " must be a string");
        }
        return value.textValue();
    }
}
