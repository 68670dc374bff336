package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingEndEvent;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceEndEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.events.StreamStartEvent;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * A parsed YAML document plus the line on which every field and list element starts, so that validation
 * errors can name the line. Duplicate keys are refused: two values for one key is always a mistake, and in
 * a policy file a silent "last one wins" would be a security bug. Used for gateway and policy files alike, in YAML
 * 1.2's typing ({@code 1e4} a number); an AGT-format document is read again as AGT reads it, by {@link PythonYaml}.
 */
public record LocatedYaml(JsonNode root, Map<String, Integer> linesByPointer) {

    /**
     * Larger than SnakeYAML's 3 MiB default: a converted rule pack (AGT's ATR community rules written as native
     * documents, `tollgate import-agt`) is several MiB. Operators write these files; the bound still stops a
     * runaway one.
     */
    static final int MAX_CODE_POINTS = 32 * 1024 * 1024;
    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .loaderOptions(loaderOptions())
            .build();

    private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        return options;
    }
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    /** {@link #parse(String, boolean)} reading forms YAML 1.1 and 1.2 type differently as YAML 1.2 does. */
    public static LocatedYaml parse(String text) throws YamlSyntaxException {
        return parse(text, false);
    }

    /**
     * Parses in YAML 1.2's core schema. Jackson types plain scalars with SnakeYAML's YAML 1.1 resolver, so its tree is
     * corrected where the two differ: {@code 0777}, {@code 010} and {@code 08} are the decimals 777, 10 and 8 (1.1: octal
     * 511, 8, and the text "08"), {@code 0o17} is 15; {@code yes}/{@code no}/{@code on}/{@code off} and numbers written
     * with {@code _} or {@code 0b} are text. A decimal is what the gateway reads from a call's {@code 777} or
     * {@code "0777"} (JSON has no octal), so a rule operand or test case holding {@code 0777} means what calls mean.
     *
     * @param refuseAmbiguous refuse (naming the line) the forms whose YAML 1.2 reading is text but YAML 1.1's a boolean or
     *                        number ({@code yes}, {@code off}, {@code 1_000}, {@code 0b101}): in a policy or a test case the
     *                        author meant the boolean or number, which the text would never equal in a call, so the rule
     *                        or the case would silently test something else
     */
    public static LocatedYaml parse(String text, boolean refuseAmbiguous) throws YamlSyntaxException {
        try {
            Map<String, Integer> lines = new HashMap<>();
            Map<String, JsonNode> retyped = new HashMap<>();
            // First: it refuses what readTree would misread or fail on with a message naming no form (.inf).
            walk(text, lines, retyped, refuseAmbiguous);
            JsonNode root = MAPPER.readTree(text);
            return new LocatedYaml(Yaml12.retype(root, retyped), lines);
        } catch (JsonProcessingException e) {
            throw new YamlSyntaxException(e.getLocation() == null ? 0 : e.getLocation().getLineNr(), e.getOriginalMessage());
        } catch (IOException e) {
            throw new YamlSyntaxException(0, e.getMessage());
        } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
            throw new YamlSyntaxException(e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1,
                    e.getProblem() == null ? e.getMessage() : e.getProblem());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new YamlSyntaxException(0, e.getMessage());
        }
    }

    /**
     * The line of the field or element at a JSON pointer such as {@code /rules/0/condition}; falls back to
     * the nearest enclosing element that has a line; 0 if none.
     */
    public int lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = linesByPointer.get(p);
            if (line != null) {
                return line;
            }
            int cut = p.lastIndexOf('/');
            if (cut <= 0) {
                return linesByPointer.getOrDefault("", 0);
            }
            p = p.substring(0, cut);
        }
    }

    /**
     * Also refuses aliases and merge keys: Jackson reads an alias {@code *name} as the text "name" and a merge key
     * {@code <<} as an ordinary key, where PyYAML (what AGT reads its documents with) and SnakeYAML's own loader resolve
     * them, so a policy holding one would silently mean something else. Refuses a second document ({@code ---}): Jackson's
     * {@code readTree} keeps the first only, so the rules or test cases after it would silently not exist (review CD).
     *
     * <p>Whether a scalar is plain and whether it carries a tag is taken from SnakeYAML's own events, read alongside
     * Jackson's tokens, one event per token: locating it in the text by line and column went wrong wherever SnakeYAML and
     * the lookup counted lines differently (NEL, U+2028, U+2029, a byte order mark; review CD). When the two streams do not
     * pair up, the file is refused rather than left in Jackson's YAML 1.1 reading.
     */
    private static void walk(String text, Map<String, Integer> lines, Map<String, JsonNode> retyped, boolean refuseAmbiguous)
            throws IOException, YamlSyntaxException {
        ParserImpl events = new ParserImpl(new StreamReader(text), loaderOptions());
        int documents = 0;
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                Event event = events.getEvent();
                while (event instanceof StreamStartEvent || event instanceof DocumentStartEvent || event instanceof DocumentEndEvent) {
                    if (event instanceof DocumentStartEvent && ++documents > 1) {
                        throw new YamlSyntaxException(line(event), "a second YAML document (---) in one file is not supported: "
                                + "only the first would be read; write one document per file");
                    }
                    event = events.getEvent();
                }
                if (parser instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser yaml && yaml.isCurrentAlias()) {
                    throw new YamlSyntaxException(parser.currentTokenLocation().getLineNr(), "YAML aliases (*" + parser.getText()
                            + ") are not supported: write the value out (an alias would be read as the text '" + parser.getText() + "')");
                }
                requirePaired(token, event, parser);
                if (token == JsonToken.FIELD_NAME && "<<".equals(parser.currentName())) {
                    throw new YamlSyntaxException(parser.currentTokenLocation().getLineNr(),
                            "YAML merge keys (<<) are not supported: write the fields out");
                }
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                // After FIELD_NAME the context pointer already names the field; for list elements it names
                // the element at its first token.
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                int line = parser.currentTokenLocation().getLineNr();
                lines.putIfAbsent(pointer, line);
                if (token.isScalarValue() && event instanceof ScalarEvent scalar) {
                    Yaml12.Reading reading = Yaml12.read(token, scalar);
                    if (reading.refusal() != null && (refuseAmbiguous || reading.alwaysRefused())) {
                        throw new YamlSyntaxException(line, reading.refusal());
                    }
                    if (reading.value() != null) {
                        retyped.put(pointer, reading.value());
                    }
                }
            }
        }
    }

    /** Fails closed when Jackson's token and SnakeYAML's event are not the same node: the scalar's style would be a guess. */
    private static void requirePaired(JsonToken token, Event event, JsonParser parser) throws IOException, YamlSyntaxException {
        boolean paired = switch (token) {
            case START_OBJECT -> event instanceof MappingStartEvent;
            case END_OBJECT -> event instanceof MappingEndEvent;
            case START_ARRAY -> event instanceof SequenceStartEvent;
            case END_ARRAY -> event instanceof SequenceEndEvent;
            case FIELD_NAME -> event instanceof ScalarEvent s && s.getValue().equals(parser.currentName());
            case VALUE_STRING -> event instanceof ScalarEvent s && s.getValue().equals(parser.getText());
            default -> event instanceof ScalarEvent;
        };
        if (!paired) {
            throw new YamlSyntaxException(parser.currentTokenLocation().getLineNr(),
                    "this file cannot be read: its YAML parse and its typing disagree here (" + token + " against " + event + ")");
        }
    }

    private static int line(Event event) {
        return event.getStartMark() == null ? 0 : event.getStartMark().getLine() + 1;
    }
}
