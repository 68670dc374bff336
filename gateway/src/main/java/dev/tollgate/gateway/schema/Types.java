package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JSON Schema fragments for the kinds of values the configuration readers accept (see NodeReader). A value that is not
 * a string in the loader may still be written {@code ${VAR}} or {@code ${VAR:-default}}: substitution happens on the
 * text before parsing, so an editor sees the placeholder, and every such fragment also accepts {@link #ENV}.
 */
final class Types {

    static final String ENV_DEF = "env";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** NodeReader.DURATION. */
    static final String DURATION_PATTERN = "^\\d+\\s*(ms|s|m|h)$";
    /** NodeReader.SIZE. */
    static final String SIZE_PATTERN = "^\\d+\\s*(B|KiB|MiB|GiB|KB|MB|GB)?$";

    private Types() {
    }

    /** {@code $defs/env}: a string starting with an environment placeholder. */
    static ObjectNode envDefinition() {
        ObjectNode env = NODES.objectNode();
        env.put("description", "An environment variable, ${VAR} or ${VAR:-default}, substituted before the file is parsed.");
        env.put("type", "string");
        env.put("pattern", "^\\$\\{");
        return env;
    }

    static ObjectNode ref(String definition) {
        return NODES.objectNode().put("$ref", "#/$defs/" + definition);
    }

    static ObjectNode string() {
        return NODES.objectNode().put("type", "string");
    }

    /** A string the loader also accepts as a number (names, ids, versions). */
    static ObjectNode text() {
        ObjectNode node = NODES.objectNode();
        node.set("type", NODES.arrayNode().add("string").add("number"));
        return node;
    }

    static ObjectNode pattern(String regex) {
        return string().put("pattern", regex);
    }

    /** An absolute http(s) URL (UpstreamsReader.url), or a placeholder. */
    static ObjectNode url() {
        return pattern("^(https?://|\\$\\{)");
    }

    static ObjectNode integer(int minimum) {
        return orEnv(NODES.objectNode().put("type", "integer").put("minimum", minimum));
    }

    static ObjectNode port() {
        return orEnv(NODES.objectNode().put("type", "integer").put("minimum", 0).put("maximum", 65535));
    }

    static ObjectNode bool() {
        return orEnv(NODES.objectNode().put("type", "boolean"));
    }

    /** A share between 0 and 1 such as 0.1. */
    static ObjectNode share() {
        return orEnv(NODES.objectNode().put("type", "number").put("minimum", 0).put("maximum", 1));
    }

    static ObjectNode duration() {
        return orEnv(pattern(DURATION_PATTERN));
    }

    /** 65536, 64KiB or 4MiB. */
    static ObjectNode byteSize() {
        return orEnv(NODES.objectNode().put("type", "integer").put("minimum", 1), pattern(SIZE_PATTERN));
    }

    static ObjectNode strings() {
        ObjectNode list = NODES.objectNode().put("type", "array");
        list.set("items", string().put("minLength", 1));
        return orEnv(list);
    }

    static ObjectNode listOf(ObjectNode item) {
        ObjectNode list = NODES.objectNode().put("type", "array");
        list.set("items", item);
        return list;
    }

    static ObjectNode anyObject() {
        return NODES.objectNode().put("type", "object");
    }

    /** A mapping from names the user picks to values of one shape. */
    static ObjectNode mapOf(ObjectNode value) {
        ObjectNode map = anyObject();
        map.set("additionalProperties", value);
        return map;
    }

    /** The lower-case, dashed names NodeReader.choice accepts for the constants of {@code type}. */
    static <E extends Enum<E>> ObjectNode choice(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().replace('_', '-').toLowerCase(Locale.ROOT));
        }
        return choice(names.toArray(String[]::new));
    }

    static ObjectNode choice(String... names) {
        ObjectNode words = NODES.objectNode();
        ArrayNode values = words.putArray("enum");
        boolean onOff = false;
        for (String name : names) {
            values.add(name);
            onOff |= name.equals("on") || name.equals("off");
        }
        // YAML 1.1 parsers (this one among them) read a bare off/on as a boolean; NodeReader.choice maps it back.
        return onOff ? orEnv(words, NODES.objectNode().put("type", "boolean")) : orEnv(words);
    }

    static ObjectNode anyOf(ObjectNode... alternatives) {
        ObjectNode node = NODES.objectNode();
        ArrayNode any = node.putArray("anyOf");
        for (ObjectNode alternative : alternatives) {
            any.add(alternative);
        }
        return node;
    }

    private static ObjectNode orEnv(ObjectNode... alternatives) {
        ObjectNode node = anyOf(alternatives);
        ((ArrayNode) node.get("anyOf")).add(ref(ENV_DEF));
        return node;
    }
}
