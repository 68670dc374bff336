package dev.tollgate.protocols.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Parses one complete JSON document and refuses anything two parsers could read differently: invalid
 * UTF-8, duplicate object keys (one parser keeps the first value, another the last), trailing content,
 * and nesting deeper than a limit (a stack-exhaustion vector). Thread-safe; share one instance.
 *
 * <p>Only UTF-8 is accepted, without a byte order mark. Jackson on its own guesses UTF-16/32 from NUL bytes
 * at the start and skips a BOM; an upstream that assumes UTF-8 would then read different text than the
 * policy checked, so both are refused before Jackson sees the bytes (RFC 8259 section 8.1 makes UTF-8
 * mandatory and forbids senders to add a BOM).
 *
 * <p>Strings must be Unicode text: an escaped lone surrogate ({@code "x\ud800"}) is refused (I-JSON, RFC 7493
 * section 2.1). Parsers disagree on it (Jackson keeps the lone char, others replace it with U+FFFD or fail),
 * and text holding it cannot be encoded as UTF-8 at all, which once poisoned the audit writer.
 *
 * <p>Numbers must be within a double's range ({@code 1e400} and {@code 1e-400} are refused, I-JSON section 2.2):
 * JavaScript reads the first as infinity (Jackson, as a double, wrote it back as the string {@code "Infinity"}, so a
 * rewritten answer changed the value, found by {@code StrictJsonParserFuzzTest}) and the second as zero, while exact
 * readers see neither; the bound also keeps every BigDecimal's exponent small. Fractions and exponents are read
 * exactly (BigDecimal), integers as int, long or BigInteger.
 */
public final class StrictJsonParser {

    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    /** Longest excerpt of a key or token quoted back in an error message. */
    private static final int MAX_ECHO_CHARS = 64;
    /** Jackson picks the encoding from this many leading bytes; a NUL among them means UTF-16 or UTF-32. */
    private static final int ENCODING_SNIFF_BYTES = 4;
    /** Jackson's wording for a nesting-depth violation; its other stream limits (number, string, name length) are not depth. */
    private static final String JACKSON_DEPTH_MESSAGE_MARKER = "nesting depth";

    private final ObjectMapper mapper;
    private final int maxNestingDepth;

    public StrictJsonParser(int maxNestingDepth) {
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth must be positive");
        }
        this.maxNestingDepth = maxNestingDepth;
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build())
                .build();
        // Fractions and exponents are read exactly (see ExactNumbers).
        this.mapper = ExactNumbers.readingExactly(new ObjectMapper(factory));
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
        checkBytes(body, offset, length);
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
            if (UnpairedSurrogates.mayBeEscaped(body, offset, length) && UnpairedSurrogates.anyIn(root)) {
                throw new JsonRejection(JsonRejection.Reason.LONE_SURROGATE,
                        "a string holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF): not Unicode text (RFC 7493 I-JSON)");
            }
            if (NonFiniteNumbers.anyIn(root)) {
                throw new JsonRejection(JsonRejection.Reason.MALFORMED,
                        "a number is outside a double's range (read as infinity, or as zero when it is not): readers would not agree on it (RFC 7493 I-JSON)");
            }
            return root;
        } catch (StreamConstraintsException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.contains(JACKSON_DEPTH_MESSAGE_MARKER)) {
                throw new JsonRejection(JsonRejection.Reason.TOO_DEEP, "JSON nested deeper than " + maxNestingDepth + " levels");
            }
            throw new JsonRejection(JsonRejection.Reason.MALFORMED, "JSON exceeds a parser limit: " + excerpt(message));
        } catch (NumberFormatException | ArithmeticException e) {
            // Jackson reads a fraction or exponent into a BigDecimal when the tree is built, and refuses an exponent
            // beyond an int (1e99999999999) with these rather than a parse exception: a number no double holds either.
            throw new JsonRejection(JsonRejection.Reason.MALFORMED,
                    "a number is outside a double's range (its exponent is beyond what any reader holds) (RFC 7493 I-JSON)");
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

    /**
     * A token stream over a whole document, for a reader that needs no tree: the byte checks of {@link #parse} have
     * passed (not blank, UTF-8, no byte order mark, not UTF-16/32) and the parser refuses duplicate keys and deep
     * nesting as {@code parse} does. Null when a byte check fails or the body could hold a string longer than the
     * parser's limit: a reader that skips strings never decodes them, so it would not meet that limit, and only
     * {@code parse} gives the verdict and its reason. What {@code parse} checks on the tree (content after the
     * document, lone surrogate escapes, numbers too large for a double) is the reader's to check.
     */
    public JsonParser tokens(byte[] body) throws IOException {
        if (body.length > mapper.getFactory().streamReadConstraints().getMaxStringLength()) {
            return null;
        }
        try {
            checkBytes(body, 0, body.length);
        } catch (JsonRejection e) {
            return null;
        }
        return mapper.getFactory().createParser(body);
    }

    /** What is refused before Jackson sees the bytes: nothing but whitespace, invalid UTF-8, a BOM, UTF-16/32. */
    private static void checkBytes(byte[] body, int offset, int length) throws JsonRejection {
        if (isBlank(body, offset, length)) {
            throw new JsonRejection(JsonRejection.Reason.EMPTY, "body is empty");
        }
        int bad = Utf8Validator.firstInvalid(body, offset, length);
        if (bad >= 0) {
            throw new JsonRejection(JsonRejection.Reason.INVALID_UTF8, "invalid UTF-8 sequence at byte " + (bad - offset));
        }
        rejectNonUtf8Encoding(body, offset, length);
    }

    /** True when the bytes may hold an escaped UTF-16 surrogate (a backslash-u escape of D800 to DFFF); false means none. */
    public static boolean mayHoldSurrogateEscape(byte[] body) {
        return UnpairedSurrogates.mayBeEscaped(body, 0, body.length);
    }

    private static void rejectNonUtf8Encoding(byte[] body, int offset, int length) throws JsonRejection {
        if (length >= 3 && body[offset] == (byte) 0xEF && body[offset + 1] == (byte) 0xBB && body[offset + 2] == (byte) 0xBF) {
            throw new JsonRejection(JsonRejection.Reason.MALFORMED, "JSON text must not start with a byte order mark");
        }
        for (int i = offset; i < offset + Math.min(length, ENCODING_SNIFF_BYTES); i++) {
            if (body[i] == 0) {
                throw new JsonRejection(JsonRejection.Reason.MALFORMED, "NUL byte at byte " + (i - offset) + ": JSON text must be UTF-8, not UTF-16 or UTF-32");
            }
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
