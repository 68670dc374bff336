package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Builders for native condition trees ({@code all}, {@code any}, {@code not} and single-key leaves). */
final class Nodes {

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Nodes() {
    }

    static ObjectNode single(String key, JsonNode value) {
        ObjectNode node = F.objectNode();
        node.set(key, value);
        return node;
    }

    /** {@code all} of the non-null members; one member stands alone. */
    static JsonNode all(JsonNode... members) {
        return combine("all", members);
    }

    /** {@code any} of the non-null members; one member stands alone; none is null. */
    static JsonNode any(JsonNode... members) {
        return combine("any", members);
    }

    static JsonNode not(JsonNode inner) {
        return single("not", inner);
    }

    private static JsonNode combine(String key, JsonNode... members) {
        List<JsonNode> present = new ArrayList<>(Arrays.stream(members).filter(Objects::nonNull).toList());
        if (present.isEmpty()) {
            return null;
        }
        if (present.size() == 1) {
            return present.get(0);
        }
        ArrayNode list = F.arrayNode();
        present.forEach(list::add);
        return single(key, list);
    }
}
