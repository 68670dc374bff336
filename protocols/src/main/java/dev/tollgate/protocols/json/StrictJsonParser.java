package dev.tollgate.protocols.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Parses one complete JSON document and refuses anything two parsers could read differently: invalid
 * UTF-8, duplicate object keys (one parser keeps the first value, another the last), trailing content,
 * and nesting deeper than a limit (a stack-exhaustion vector). Thread-safe; share one instance.
 */
public final class StrictJsonParser {

    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    /** Longest excerpt of a key or token quoted back in an error message. */
    private static final int MAX_ECHO_CHARS = 64;

    private final ObjectMapper mapper;
    private final int maxNestingDepth;

    public StrictJsonParser(int maxNestingDepth) {
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth must be positive");
        }
        this.maxNestingDepth = maxNestingDepth;
        JsonFactory factory = JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build())
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    public StrictJsonParser() {
        this(DEFAULT_MAX_NESTING_DEPTH);
    }

    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    public JsonNode parse(byte[] body) throws JsonRejection {
        return parse(body, 0, body.length);
    }

    public JsonNode parse(byte[] body, int offset, int length) throws JsonRejection {
        if (isBlank(body, offset, length)) {
            throw new JsonRejection(JsonRejection.Reason.EMPTY, "body is empty");
        }
        int bad = Utf8Validator.firstInvalid(body, offset, length);
        if (bad >= 0) {
            throw new JsonRejection(JsonRejection.Reason.INVALID_UTF8, "invalid UTF-8 at or after byte " + (bad - offset));
        }
        try (JsonParser parser = mapper.getFactory().createParser(body, offset, length)) {
            JsonNode root = mapper.readTree(parser);
            if (root == null) {
                throw new JsonRejection(JsonRejection.Reason.EMPTY, "body is empty");
            }
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new JsonRejection(JsonRejection.Reason.MALFORMED,
                        "unexpected content after the JSON document at offset " + parser.currentTokenLocation().getByteOffset());
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new JsonRejection(JsonRejection.Reason.TOO_DEEP, "JSON nested deeper than " + maxNestingDepth + " levels");
        } catch (JsonParseException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                throw new JsonRejection(JsonRejection.Reason.DUPLICATE_KEY, "duplicate object key " + excerpt(message.substring("Duplicate field ".length())));
            }
            throw new JsonRejection(JsonRejection.Reason.MALFORMED, "not valid JSON: " + excerpt(message) + location(e));
        } catch (IOException e) {
            throw new JsonRejection(JsonRejection.Reason.MALFORMED, "not valid JSON: " + excerpt(e.getMessage()));
        }
    }

    private static boolean isBlank(byte[] body, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String location(JsonParseException e) {
        return e.getLocation() == null ? "" : " at offset " + e.getLocation().getByteOffset();
    }

    private static String excerpt(String text) {
        if (text == null) {
            return "";
        }
        String firstLine = text.lines().findFirst().orElse("");
        return firstLine.length() <= MAX_ECHO_CHARS ? firstLine : firstLine.substring(0, MAX_ECHO_CHARS) + "...";
    }
}
