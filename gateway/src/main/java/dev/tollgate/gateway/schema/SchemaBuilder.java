package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one loader field set plus the generator's descriptions into a closed JSON Schema object. The accepted names come
 * from the loader; a name without a description, or a description for a name the loader does not accept, is recorded
 * as drift instead of being guessed or silently dropped.
 */
final class SchemaBuilder {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final List<String> drift = new ArrayList<>();
    private final Map<String, ObjectNode> definitions = new LinkedHashMap<>();

    /** Describes one field of a mapping: what it means and the kind of value it takes. */
    static final class Fields {
        private final Map<String, ObjectNode> byName = new LinkedHashMap<>();

        Fields add(String name, String description, ObjectNode type) {
            ObjectNode field = NODES.objectNode();
            field.put("description", description);
            field.setAll(type);
            byName.put(name, field);
            return this;
        }
    }

    /**
     * @param where    where the mapping sits, e.g. {@code routes[].oauth}, for drift messages
     * @param accepted the loader's set (the one it passes to rejectUnknown)
     * @param required the fields the loader refuses to do without
     */
    ObjectNode mapping(String where, String description, Set<String> accepted, Fields fields, String... required) {
        ObjectNode object = NODES.objectNode();
        object.put("description", description);
        object.put("type", "object");
        ObjectNode properties = object.putObject("properties");
        // Sorted: the loader's sets have no stable order, the committed file must.
        for (String name : new TreeSet<>(accepted)) {
            ObjectNode field = fields.byName.get(name);
            if (field == null) {
                drift.add(where + "." + name + ": accepted by the loader but not described in the schema generator");
                field = NODES.objectNode().put("description", "(undescribed)");
            }
            properties.set(name, field);
        }
        for (String name : fields.byName.keySet()) {
            if (!accepted.contains(name)) {
                drift.add(where + "." + name + ": described in the schema generator but not accepted by the loader");
            }
        }
        object.put("additionalProperties", false);
        if (required.length > 0) {
            ArrayNode names = object.putArray("required");
            for (String name : required) {
                names.add(name);
            }
        }
        return object;
    }

    /** Registers a shape under {@code $defs/name}; returns a reference to it. */
    ObjectNode define(String name, ObjectNode schema) {
        definitions.put(name, schema);
        return Types.ref(name);
    }

    /** The finished document; call after every mapping has been built. */
    ObjectNode document(String title, ObjectNode root) {
        ObjectNode doc = NODES.objectNode();
        doc.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        doc.put("title", title);
        doc.setAll(root);
        ObjectNode defs = doc.putObject("$defs");
        defs.set(Types.ENV_DEF, Types.envDefinition());
        new TreeSet<>(definitions.keySet()).forEach(name -> defs.set(name, definitions.get(name)));
        return doc;
    }

    /** Fields accepted but undescribed, or described but not accepted: empty when the generator matches the loaders. */
    List<String> drift() {
        return List.copyOf(drift);
    }
}
