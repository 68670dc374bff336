package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.io.IOException;
import java.util.Set;

/**
 * Tells, without building a tree, that a whole JSON answer is an ordinary successful response to one request:
 * {@code {"jsonrpc":"2.0","id":<that id>,"result":{...}}}, nothing else at the top, read under the same strict
 * rules as {@link StrictJsonParser#parse} (UTF-8, duplicate keys, depth, trailing content, numbers too large for
 * a double, lone surrogate escapes), with none of the result members a reader of the answer acts on. Such an
 * answer is relayed as it is, and most answers are such: reading them as a tree (every string decoded) was the
 * largest share of a plain gateway's own time per call.
 *
 * <p>Conservative by construction: anything it is not sure of (another member, an error, an id of another type, a
 * possible surrogate escape, a parser complaint) answers false, and the caller then reads the answer whole,
 * which gives the verdict and its reason. It never accepts what the whole read would refuse or change.
 * Thread-safe.
 */
public final class PlainResultScan {

    private final StrictJsonParser json;
    private final Set<String> actedOnInResult;
    private final Set<String> actedOnInResultMembers;

    /**
     * @param actedOnInResult        members of the result that make the answer not plain (e.g. {@code tools})
     * @param actedOnInResultMembers members of an object member of the result that do (a task's {@code inputRequests})
     */
    public PlainResultScan(StrictJsonParser json, Set<String> actedOnInResult, Set<String> actedOnInResultMembers) {
        this.json = json;
        this.actedOnInResult = Set.copyOf(actedOnInResult);
        this.actedOnInResultMembers = Set.copyOf(actedOnInResultMembers);
    }

    /**
     * @param requestId the id of the one request the answer must answer: a string or an integer the client sent
     */
    public boolean isPlainResult(byte[] body, JsonNode requestId) {
        if (requestId == null || StrictJsonParser.mayHoldSurrogateEscape(body)) {
            return false;
        }
        try (JsonParser p = json.tokens(body)) {
            if (p == null || p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean version = false;
            boolean id = false;
            boolean result = false;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                boolean plain = switch (name) {
                    case "jsonrpc" -> version = value == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
                    case "id" -> id = sameId(p, value, requestId);
                    case "result" -> result = value == JsonToken.START_OBJECT && plainResult(p);
                    default -> false; // method, error, params or a member JSON-RPC does not have
                };
                if (!plain) {
                    return false;
                }
            }
            // The loop ends on the top object's end (anything else was a parser error); nothing may follow it.
            return version && id && result && p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false; // the whole read says what is wrong
        }
    }

    /**
     * The answer's id is the request's exactly as the whole read compares them (equal JSON nodes): the same string,
     * or an integer of the same width and value.
     */
    private static boolean sameId(JsonParser p, JsonToken value, JsonNode requestId) throws IOException {
        if (requestId.isTextual()) {
            return value == JsonToken.VALUE_STRING && requestId.textValue().equals(p.getText());
        }
        if (value != JsonToken.VALUE_NUMBER_INT || !(requestId.isInt() || requestId.isLong())) {
            return false;
        }
        return p.getNumberType() == requestId.numberType() && p.getLongValue() == requestId.longValue();
    }

    private boolean plainResult(JsonParser p) throws IOException {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            if (actedOnInResult.contains(p.currentName())) {
                return false;
            }
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT ? !plainMember(p) : !plainValue(p, value)) {
                return false;
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT;
    }

    private boolean plainMember(JsonParser p) throws IOException {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            if (actedOnInResultMembers.contains(p.currentName()) || !plainValue(p, p.nextToken())) {
                return false;
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT;
    }

    /**
     * As the whole read's range check: not infinite as a double, and not zero as a double unless zero as written (read
     * as the whole read reads it, a BigDecimal, only then: its exponent may be beyond an int, which that read refuses).
     */
    private static boolean inDoubleRange(JsonParser p) throws IOException {
        double d = p.getDoubleValue();
        return Double.isFinite(d) && (d != 0 || dev.tollgate.protocols.json.NonFiniteNumbers.isPlainZero(p.getDecimalValue()));
    }

    /**
     * Walks a value token by token (strings are skipped undecoded; the parser still refuses duplicate keys and deep
     * nesting): false for a number beyond a double's range, which the whole read refuses.
     */
    private static boolean plainValue(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            return inDoubleRange(p);
        }
        if (value != JsonToken.START_OBJECT && value != JsonToken.START_ARRAY) {
            return value != null;
        }
        for (int depth = 1; depth > 0; ) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_NUMBER_FLOAT -> {
                    if (!inDoubleRange(p)) {
                        return false;
                    }
                }
                default -> {
                }
            }
        }
        return true;
    }
}
