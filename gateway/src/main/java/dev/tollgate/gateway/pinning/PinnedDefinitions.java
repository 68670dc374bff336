package dev.tollgate.gateway.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * What of a tool (or A2A skill) definition is pinned, and its digest. Only what reaches the model or decides how
 * the tool is called is pinned: an MCP tool's name, title, description, input and output schemas, annotations and execution (task support);
 * an A2A skill's id, name, description, tags, examples and input and output modes. {@code _meta} is pinned too: hosts act
 * on keys in it (MCP Apps' {@code ui.resourceUri}, OpenAI's output templates choose what UI renders and calls tools).
 * Icons are left out so that cosmetic churn does not unpin a tool. The digest is SHA-256 over the canonical JSON (object
 * keys sorted at every level), so the order in which a server writes its keys changes nothing.
 */
public final class PinnedDefinitions {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is pinned of an MCP tool. */
    public static final List<String> TOOL_FIELDS = List.of("name", "title", "description", "inputSchema", "outputSchema", "annotations", "execution",
            "_meta");
    /** What is pinned of an A2A agent card's skill. */
    public static final List<String> SKILL_FIELDS = List.of("id", "name", "description", "tags", "examples", "inputModes", "outputModes");

    /** Which kind of definitions a manifest holds. */
    public enum Kind {
        TOOLS("tools", "name", TOOL_FIELDS),
        SKILLS("skills", "id", SKILL_FIELDS);

        private final String yamlKey;
        private final String nameField;
        private final List<String> fields;

        Kind(String yamlKey, String nameField, List<String> fields) {
            this.yamlKey = yamlKey;
            this.nameField = nameField;
            this.fields = fields;
        }

        /** The manifest's key for its definitions: {@code tools} or {@code skills}. */
        public String yamlKey() {
            return yamlKey;
        }

        /** The field naming a definition: a tool's {@code name}, a skill's {@code id}. */
        public String nameField() {
            return nameField;
        }

        /** The name of a definition as the upstream sent it, or null when it has none that is a string. */
        public String nameOf(JsonNode definition) {
            JsonNode name = definition.path(nameField);
            return name.isTextual() ? name.textValue() : null;
        }

        /** The pinned part of a definition, in canonical form. */
        public ObjectNode pinnedPart(JsonNode definition) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String field : fields) {
                JsonNode value = definition.get(field);
                if (value != null && !value.isNull()) {
                    out.set(field, value);
                }
            }
            return (ObjectNode) canonical(out);
        }
    }

    private PinnedDefinitions() {
    }

    /** {@code sha256:<hex>} of the canonical JSON of the pinned part (which must already be canonical). */
    public static String digest(ObjectNode pinnedPart) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(pinnedPart);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy with the keys of every object sorted, recursively (arrays keep their order: it is meaningful), and every
     * number with a fraction or an exponent as its double: the gateway reads {@code 1e6} exactly (written back
     * {@code 1E+6}), {@code tollgate pin} and manifests recorded before read it as a double ({@code 1000000.0}), and a
     * definition must digest the same whichever read it.
     */
    static JsonNode canonical(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return JsonNodeFactory.instance.numberNode(node.doubleValue());
        }
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                sorted.set(name, canonical(node.get(name)));
            }
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(element -> copy.add(canonical(element)));
            return copy;
        }
        return node;
    }
}
