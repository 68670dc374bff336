package dev.tollgate.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed YAML document plus the line on which every field and array element starts, so validation
 * errors can name the line. Duplicate keys are rejected: two values for one key is always a mistake.
 */
public record YamlDocument(String file, JsonNode root, Map<String, Integer> linesByPointer) {

    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    /** Parses YAML text; a syntax error becomes a {@link ConfigException} naming the line. */
    public static YamlDocument parse(String text, String file) throws ConfigException {
        try {
            JsonNode root = MAPPER.readTree(text);
            return new YamlDocument(file, root, lines(text));
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(java.util.List.of(new ConfigProblem(file, line, "", e.getOriginalMessage())));
        } catch (IOException e) {
            throw new ConfigException(java.util.List.of(new ConfigProblem(file, 0, "", e.getMessage())));
        }
    }

    /** The line of the field or element at a JSON pointer such as {@code /routes/0/upstream}; 0 if unknown. */
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

    private static Map<String, Integer> lines(String text) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                // After FIELD_NAME the context pointer already names the field; for array elements the
                // pointer names the element at its first token.
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
            }
        }
        return lines;
    }
}
