package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * A tool call's arguments as Python's FastMCP reads them: before validating, {@code FuncMetadata.pre_parse_json}
 * (python-sdk {@code src/mcp/server/mcpserver/utilities/func_metadata.py}) runs {@code json.loads} on every top-level
 * string argument of a parameter not annotated exactly {@code str}, and keeps the result when it is an object, an array
 * or {@code null} ("Claude Desktop is prone to this"). So {@code {"config": "{\"targetEnv\": \"prod\"}"}} reaches the
 * tool as the object, while a rule on {@code /config/targetEnv} read a string at {@code /config} and nothing below it.
 * The gateway decides such a call on this reading too, the stronger refusal deciding, as it does with defaults filled
 * ({@link ToolDefaults}).
 *
 * <p>Parsed as {@code json.loads} parses: surrounding JSON whitespace, {@code NaN}/{@code Infinity}/{@code -Infinity},
 * the last of duplicate keys, nothing after the value. Without the listed schema the gateway cannot tell a {@code str}
 * parameter, so every top-level string is read this way (a rule denying what the text holds refuses either way). Bounded
 * by the body limit: each string is parsed once, at most {@link #MAX_PARSED_CHARS} characters.
 */
public final class PreParsedArguments {

    /** Strings longer than this are not parsed (the reading is then the call as sent): the body limit bounds them anyway. */
    static final int MAX_PARSED_CHARS = 8 * 1024 * 1024;

    private static final ObjectMapper PYTHON_JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private PreParsedArguments() {
    }

    /** The arguments with each top-level string FastMCP would pre-parse replaced by its value; null when none would be. */
    public static JsonNode of(JsonNode arguments) {
        if (arguments == null || !arguments.isObject()) {
            return null;
        }
        ObjectNode parsed = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue().isTextual() ? pythonJsonLoads(field.getValue().textValue()) : null;
            // json.loads giving a str, int or float (bool is an int there) is skipped: only dict, list and None are kept.
            if (value != null && (value.isObject() || value.isArray() || value.isNull())) {
                if (parsed == null) {
                    parsed = ((ObjectNode) arguments).deepCopy();
                }
                parsed.set(field.getKey(), value);
            }
        }
        return parsed;
    }

    /** The value of {@code text} as {@code json.loads} reads it, or null when it raises. */
    static JsonNode pythonJsonLoads(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isJsonSpace(text.charAt(start))) {
            start++;
        }
        // Only text that can be an object, array or null is parsed: most strings cost one look at their first character.
        if (start == end || text.length() > MAX_PARSED_CHARS || "{[n".indexOf(text.charAt(start)) < 0) {
            return null;
        }
        try {
            return PYTHON_JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Python's json whitespace: space, tab, line feed, carriage return (not the other Unicode spaces). */
    private static boolean isJsonSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
