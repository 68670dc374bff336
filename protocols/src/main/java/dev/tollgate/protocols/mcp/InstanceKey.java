package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON value as JSON Schema compares values ({@code enum}, {@code const}): two values are equal when their keys are.
 * <p>
 * Why: JSON Schema compares numbers by value at every depth ({@code 1} and {@code 1.0} are one value, in {@code [1.0, 2]}
 * as at the top), strings as themselves, booleans and null by kind and value, arrays element by element, objects member
 * by member in any order. Jackson's own equality tells an {@code IntNode} from a {@code DecimalNode}: an enum member
 * {@code [1, 2]} would refuse {@code [1.0, 2]}, which the schema allows.
 */
final class InstanceKey {

    /** The key of JSON null (a key is never Java null, so that sets and maps of keys hold it). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private InstanceKey() {
    }

    /** The key of a value of the schema (bounded by the schema's own size). */
    static Object of(JsonNode value) {
        return of(value, new int[]{Integer.MAX_VALUE});
    }

    /**
     * The key of a call's value, each array element and object member taking a step from {@code steps}: past the
     * budget, a key equal to no other (the value is then outside every closed set: fail closed).
     */
    static Object of(JsonNode value, int[] steps) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber()) {
            if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
                return value.doubleValue(); // a double parser's reading of 1e999: Infinity, no decimal value
            }
            BigDecimal number = value.decimalValue();
            return number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNull()) {
            return NULL;
        }
        if (value.isContainerNode() && (steps[0] -= value.size()) < 0) {
            return new Object();
        }
        if (value.isArray()) {
            List<Object> elements = new ArrayList<>(value.size());
            for (JsonNode element : value) {
                elements.add(of(element, steps));
            }
            return elements;
        }
        if (value.isObject()) {
            Map<String, Object> members = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                members.put(member.getKey(), of(member.getValue(), steps));
            }
            return members;
        }
        return value; // binary or POJO nodes: not JSON a parser makes; compared as Jackson compares them
    }
}
