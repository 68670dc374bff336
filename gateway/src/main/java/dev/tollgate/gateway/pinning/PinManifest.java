package dev.tollgate.gateway.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reviewed definitions of one route's tools (or A2A skills), as {@code tollgate pin} writes them: a YAML file
 * kept under version control, one entry per tool with its digest and its pinned definition. Loading checks every
 * digest against its definition, so a hand edit of one without the other is refused instead of silently trusted.
 *
 * @param route   the route it was recorded for
 * @param kind    tools (MCP) or skills (A2A)
 * @param pins    every pinned definition, by tool name (skill id)
 * @param source  where it was recorded from (the upstream URL), for the reader
 * @param pinnedAt when it was recorded (ISO-8601), for the reader
 */
public record PinManifest(String route, PinnedDefinitions.Kind kind, Map<String, Pin> pins, String source, String pinnedAt) {

    /**
     * Every string value is written quoted: a plain {@code 0x10}, {@code 1_000} or {@code no} in a schema would be read
     * back as a number or a boolean, changing the definition under its digest.
     */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    private static final Set<String> FIELDS = Set.of("route", "protocol", "source", "pinned-at", "tools", "skills");

    /** One reviewed definition. */
    public record Pin(String name, String digest, ObjectNode definition) {
    }

    public PinManifest {
        pins = Collections.unmodifiableMap(new LinkedHashMap<>(pins));
    }

    /** Builds a manifest from the definitions an upstream lists now (what {@code tollgate pin} records). */
    public static PinManifest record(String route, PinnedDefinitions.Kind kind, Iterable<JsonNode> definitions, String source,
                                     String pinnedAt) {
        Map<String, Pin> pins = new LinkedHashMap<>();
        for (JsonNode definition : definitions) {
            String name = kind.nameOf(definition);
            if (name == null) {
                throw new IllegalArgumentException("a definition without a " + kind.nameField() + ": " + definition);
            }
            if (pins.containsKey(name)) {
                throw new IllegalArgumentException("the upstream lists " + name + " twice");
            }
            ObjectNode part = kind.pinnedPart(definition);
            pins.put(name, new Pin(name, PinnedDefinitions.digest(part), part));
        }
        return new PinManifest(route, kind, pins, source, pinnedAt);
    }

    /** The YAML text, with a header saying what it is and how to renew it. */
    public String toYaml() {
        ObjectNode root = YAML.createObjectNode();
        root.put("route", route);
        root.put("protocol", kind == PinnedDefinitions.Kind.TOOLS ? "mcp" : "a2a");
        if (source != null) {
            root.put("source", source);
        }
        if (pinnedAt != null) {
            root.put("pinned-at", pinnedAt);
        }
        ObjectNode entries = root.putObject(kind.yamlKey());
        pins.values().forEach(pin -> {
            ObjectNode entry = entries.putObject(pin.name());
            entry.put("digest", pin.digest());
            entry.set("definition", pin.definition());
        });
        try {
            return "# Reviewed " + kind.yamlKey() + " of route '" + route + "': the gateway compares every list the upstream sends with\n"
                    + "# these definitions. Written by `tollgate pin --route " + route + "`; review the diff before committing it.\n"
                    + YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toYaml(), StandardCharsets.UTF_8);
    }

    /**
     * Reads and checks a manifest file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong (unreadable, unknown field, a digest that does
     *                                  not match its definition)
     */
    public static PinManifest load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read pin manifest " + file + ": " + e.getMessage()
                    + " (write it with tollgate pin --route <name>)");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " is not a pin manifest (a mapping with route and tools or skills)");
        }
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                unknown.add(f);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(file + ": unknown field(s) " + unknown + " (expected " + FIELDS + ")");
        }
        if (root.has("tools") == root.has("skills")) {
            throw new IllegalArgumentException(file + ": a pin manifest has exactly one of tools (MCP) or skills (A2A)");
        }
        PinnedDefinitions.Kind kind = root.has("tools") ? PinnedDefinitions.Kind.TOOLS : PinnedDefinitions.Kind.SKILLS;
        JsonNode entries = root.get(kind.yamlKey());
        if (!entries.isObject()) {
            throw new IllegalArgumentException(file + ": " + kind.yamlKey() + " must be a mapping of name to {digest, definition}");
        }
        Map<String, Pin> pins = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            pins.put(e.getKey(), pin(file, kind, e.getKey(), e.getValue()));
        }
        return new PinManifest(root.path("route").asText(null), kind, pins, root.path("source").asText(null),
                root.path("pinned-at").asText(null));
    }

    private static Pin pin(Path file, PinnedDefinitions.Kind kind, String name, JsonNode entry) {
        String at = file + ": " + kind.yamlKey() + "." + name;
        if (!entry.isObject() || !entry.path("digest").isTextual() || !entry.path("definition").isObject()) {
            throw new IllegalArgumentException(at + " must be {digest: sha256:..., definition: {...}}");
        }
        ObjectNode part = kind.pinnedPart(entry.get("definition"));
        if (!name.equals(kind.nameOf(part))) {
            throw new IllegalArgumentException(at + ": the definition's " + kind.nameField() + " is not '" + name + "'");
        }
        String digest = PinnedDefinitions.digest(part);
        if (!digest.equals(entry.get("digest").textValue())) {
            throw new IllegalArgumentException(at + ": the digest does not match the definition (edited by hand?); "
                    + "pin again with tollgate pin after review");
        }
        return new Pin(name, digest, part);
    }
}
