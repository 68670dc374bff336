package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * A YAML document read as AGT 4.1.0 reads it ({@code yaml.safe_load}, PyYAML, YAML 1.1), with the line of every field and
 * list element as {@link LocatedYaml#parse} gives them. Plain scalars are typed by PyYAML's resolver
 * ({@link PyYamlResolver}) and built as its safe constructor builds them ({@link PyYamlScalars}); values JSON has no
 * form for are POJO nodes: a date or datetime ({@link PythonDate}), a mapping with a key that is not a string
 * ({@link PythonDict}). Only AGT-format documents are read this way: native documents and the gateway's configuration
 * keep {@link LocatedYaml}'s reading.
 *
 * <p>As {@link LocatedYaml}, refuses what would silently mean something else: aliases, merge keys, a key written twice
 * (by Python's {@code ==}: {@code 1} and {@code 1.0} are one key, where PyYAML keeps the last). Refuses what PyYAML
 * itself refuses (AGT then cannot load the document): a list or mapping as a key, more than one document, a tag
 * {@code safe_load} cannot construct, a scalar its constructor fails on.
 */
public final class PythonYaml {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<String, Integer> lines = new HashMap<>();
    private final Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    private PythonYaml() {
    }

    public static LocatedYaml parse(String text) throws YamlSyntaxException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(LocatedYaml.MAX_CODE_POINTS);
        Node root;
        try {
            root = new Composer(new ParserImpl(new StreamReader(text), options), new PyYamlResolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            throw new YamlSyntaxException(line(e.getProblemMark()), e.getProblem() == null ? e.getMessage() : e.getProblem());
        } catch (YAMLException e) {
            throw new YamlSyntaxException(0, e.getMessage());
        }
        PythonYaml reader = new PythonYaml();
        JsonNode tree = root == null ? F.nullNode() : reader.value(root, "");
        return new LocatedYaml(tree, Map.copyOf(reader.lines));
    }

    private JsonNode value(Node node, String pointer) throws YamlSyntaxException {
        lines.putIfAbsent(pointer, line(node.getStartMark()));
        if (!seen.add(node)) {
            // The composer hands an alias back as the very node its anchor names.
            throw new YamlSyntaxException(line(node.getStartMark()), "YAML aliases are not supported: write the value out");
        }
        if (node instanceof ScalarNode scalar) {
            return scalar(scalar);
        }
        if (node instanceof SequenceNode sequence) {
            requireTag(node, Tag.SEQ);
            ArrayNode array = F.arrayNode();
            List<Node> elements = sequence.getValue();
            for (int i = 0; i < elements.size(); i++) {
                array.add(value(elements.get(i), pointer + "/" + i));
            }
            return array;
        }
        requireTag(node, Tag.MAP);
        return mapping((MappingNode) node, pointer);
    }

    private static JsonNode scalar(ScalarNode scalar) throws YamlSyntaxException {
        if (Tag.MERGE.equals(scalar.getTag())) {
            throw new YamlSyntaxException(line(scalar.getStartMark()), "YAML merge keys (<<) are not supported: write the fields out");
        }
        try {
            return PyYamlScalars.construct(scalar.getTag(), scalar.getValue());
        } catch (IllegalArgumentException e) {
            throw new YamlSyntaxException(line(scalar.getStartMark()), e.getMessage());
        }
    }

    /** A JSON object when every key is a string (as nearly always), else a {@link PythonDict}. */
    private JsonNode mapping(MappingNode mapping, String pointer) throws YamlSyntaxException {
        List<PythonDict.Entry> entries = new ArrayList<>();
        Set<String> textKeys = new HashSet<>();
        List<JsonNode> otherKeys = new ArrayList<>();
        boolean allText = true;
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode)) {
                throw new YamlSyntaxException(line(keyNode.getStartMark()),
                        "a list or mapping as a key is unhashable to AGT's YAML reader: AGT refuses this document");
            }
            if (!seen.add(keyNode)) {
                throw new YamlSyntaxException(line(keyNode.getStartMark()), "YAML aliases are not supported: write the value out");
            }
            JsonNode key = scalar((ScalarNode) keyNode);
            if (key.isTextual() ? !textKeys.add(key.textValue()) : otherKeys.stream().anyMatch(k -> PythonDict.sameKey(k, key))) {
                // PyYAML keeps the last; a second value for one key (1 and 1.0 and true are one) is a mistake.
                throw new YamlSyntaxException(line(keyNode.getStartMark()), "Duplicate field '" + ((ScalarNode) keyNode).getValue()
                        + "' (a key written twice, as AGT's YAML reader reads keys)");
            }
            if (!key.isTextual()) {
                otherKeys.add(key);
            }
            allText &= key.isTextual();
            String child = pointer + "/" + (key.isTextual() ? escape(key.textValue()) : escape(key.asText()));
            lines.putIfAbsent(child, line(keyNode.getStartMark()));
            entries.add(new PythonDict.Entry(key, value(tuple.getValueNode(), child)));
        }
        if (!allText) {
            return F.pojoNode(new PythonDict(entries));
        }
        ObjectNode object = F.objectNode();
        entries.forEach(e -> object.set(e.key().textValue(), e.value()));
        return object;
    }

    /** A sequence or mapping tagged as something else ({@code !!set}, {@code !!omap}, a local tag) is refused. */
    private static void requireTag(Node node, Tag expected) throws YamlSyntaxException {
        if (!expected.equals(node.getTag())) {
            throw new YamlSyntaxException(line(node.getStartMark()), "the tag " + node.getTag().getValue()
                    + " is not supported here (AGT's YAML reader reads only the standard ones)");
        }
    }

    /** JSON pointer escaping, as Jackson's pointers name fields. */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static int line(Mark mark) {
        return mark == null ? 0 : mark.getLine() + 1;
    }
}
