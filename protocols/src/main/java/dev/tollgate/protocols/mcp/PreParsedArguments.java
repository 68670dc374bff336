package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
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
 * by the body limit: each string is parsed once, whatever its length (review RB: a cap of 8M characters let a longer text,
 * under a route's larger {@code max-body-bytes}, reach the tool parsed while only its string was decided).
 */
public final class PreParsedArguments {

    /** Python's int() refuses more digits than this (sys.int_info.default_max_str_digits): json.loads raises ValueError. */
    static final int PYTHON_MAX_INT_DIGITS = 4300;

    /**
     * Nothing json.loads reads may be refused here, or the call is decided only as sent while the tool gets the object
     * (review RB: {@code 1e9999999999}, a 1001-digit integer, a 50001-character key). So Jackson's default limits on number
     * and name length are lifted; the tree is built by {@link #pythonTree} (integers longer than Python reads are refused
     * there, before a quadratic BigInteger parse). Nesting keeps Jackson's 1000 levels (CPython 3.11's json stops near there).
     */
    private static final JsonFactory PYTHON_JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE).maxNameLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private PreParsedArguments() {
    }

    /**
     * FastMCP's reading of a call's arguments.
     *
     * @param parsed  the arguments with each top-level string FastMCP would pre-parse replaced by its value; null when none
     *                would be
     * @param tooDeep the name of a string argument whose JSON text nests deeper than the gateway reads, or null: Python's
     *                json from 3.12 reads deeper than CPython 3.11's (and this reader's) 1000 levels, and Pydantic does not
     *                look inside a {@code dict[str, Any]}, so the tool may get an object no reading here decided (review RB)
     */
    public record Reading(JsonNode parsed, String tooDeep) {
    }

    /** The arguments with each top-level string FastMCP would pre-parse replaced by its value; null when none would be. */
    public static JsonNode of(JsonNode arguments) {
        return read(arguments).parsed();
    }

    /** {@link Reading} of the arguments: as {@link #of}, and the first argument whose text nests too deep to read. */
    public static Reading read(JsonNode arguments) {
        if (arguments == null || !arguments.isObject()) {
            return new Reading(null, null);
        }
        ObjectNode parsed = null;
        String tooDeep = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value;
            try {
                value = field.getValue().isTextual() ? pythonJsonLoads(field.getValue().textValue()) : null;
            } catch (NestedTooDeep e) {
                tooDeep = tooDeep == null ? field.getKey() : tooDeep;
                continue;
            }
            // json.loads giving a str, int or float (bool is an int there) is skipped: only dict, list and None are kept.
            if (value != null && (value.isObject() || value.isArray() || value.isNull())) {
                if (parsed == null) {
                    parsed = ((ObjectNode) arguments).deepCopy();
                }
                parsed.set(field.getKey(), value);
            }
        }
        return new Reading(parsed, tooDeep);
    }

    /** JSON text nested past the reader's depth limit: not "no reading", since a newer Python reads it. */
    private static final class NestedTooDeep extends RuntimeException {
        NestedTooDeep() {
            super("JSON text nested too deeply", null, false, false);
        }
    }

    /** The value of {@code text} as {@code json.loads} reads it, or null when it raises. */
    static JsonNode pythonJsonLoads(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isJsonSpace(text.charAt(start))) {
            start++;
        }
        // Only text that can be an object, array or null is parsed: most strings cost one look at their first character.
        if (start == end || "{[n".indexOf(text.charAt(start)) < 0) {
            return null;
        }
        try (JsonParser parser = PYTHON_JSON.createParser(text)) {
            return pythonTree(parser);
        } catch (StreamConstraintsException e) {
            // Number, name and string lengths are unbounded here: the one constraint left is the nesting depth.
            throw new NestedTooDeep();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The document's tree as json.loads builds it, or null when it raises: the last of duplicate keys, nothing after the
     * value, an integer as written (at most {@link #PYTHON_MAX_INT_DIGITS} digits), a fraction or exponent as Python's
     * float, a double ({@code 1e9999999999} is inf, where a BigDecimal overflows), NaN and the infinities as doubles.
     */
    private static JsonNode pythonTree(JsonParser parser) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        Deque<ContainerNode<?>> open = new ArrayDeque<>();
        JsonNode root = null;
        String name = null;
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
            JsonNode value;
            switch (token) {
                case FIELD_NAME -> {
                    name = parser.currentName();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    open.pop();
                    continue;
                }
                case START_OBJECT -> value = nodes.objectNode();
                case START_ARRAY -> value = nodes.arrayNode();
                case VALUE_STRING -> value = nodes.textNode(parser.getText());
                case VALUE_NUMBER_INT -> {
                    String digits = parser.getText();
                    if (digits.length() - (digits.startsWith("-") ? 1 : 0) > PYTHON_MAX_INT_DIGITS) {
                        return null;
                    }
                    BigInteger integer = new BigInteger(digits);
                    value = integer.bitLength() < Integer.SIZE ? nodes.numberNode(integer.intValue())
                            : integer.bitLength() < Long.SIZE ? nodes.numberNode(integer.longValue()) : nodes.numberNode(integer);
                }
                // From the token's text: the parser's own number accessors gave the previous long integer's value here.
                case VALUE_NUMBER_FLOAT -> value = nodes.numberNode(Double.parseDouble(parser.getText()));
                case VALUE_TRUE -> value = nodes.booleanNode(true);
                case VALUE_FALSE -> value = nodes.booleanNode(false);
                case VALUE_NULL -> value = nodes.nullNode();
                default -> {
                    return null;
                }
            }
            if (root == null) {
                root = value;
            } else if (open.isEmpty()) {
                return null; // a second value after the first: json.loads raises "Extra data"
            } else if (open.peek() instanceof ObjectNode object) {
                object.set(name, value);
            } else {
                ((ArrayNode) open.peek()).add(value);
            }
            if (value instanceof ContainerNode<?> container) {
                open.push(container);
            }
        }
        return open.isEmpty() ? root : null;
    }

    /** Python's json whitespace: space, tab, line feed, carriage return (not the other Unicode spaces). */
    private static boolean isJsonSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
