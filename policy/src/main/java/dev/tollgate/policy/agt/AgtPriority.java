package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/** An AGT rule's priority as AGT's schema reads it: shared by the loader and the importer so both read it alike. */
public final class AgtPriority {

    private AgtPriority() {
    }

    /**
     * The priority as a Java int: null when it is no integer (the rule is refused) or one beyond 32 bits (the loader orders
     * such documents by rank, the importer refuses them).
     */
    public static Integer of(JsonNode p) {
        BigInteger exact = exact(p);
        return exact == null || exact.bitLength() > 31 ? null : exact.intValue();
    }

    /**
     * The priority as pydantic's lax {@code int} reads it, of any size (a Python int): absent is 0; an int, "100",
     * " 1_0 " (Python's int() takes underscores between digits) and 100.0 are the integer; null for anything else, JSON
     * null included (AGT's {@code priority: int} is not Optional: it refuses null).
     */
    public static BigInteger exact(JsonNode p) {
        if (p == null) {
            return BigInteger.ZERO;
        }
        if (p.isIntegralNumber()) {
            return p.bigIntegerValue();
        }
        if (p.isFloatingPointNumber() && Double.isFinite(p.doubleValue()) && p.doubleValue() == Math.rint(p.doubleValue())) {
            return new BigDecimal(p.doubleValue()).toBigIntegerExact();
        }
        if (p.isTextual() && p.textValue().strip().matches("[+-]?[0-9]+(_[0-9]+)*") && p.textValue().strip().length() <= 4300) {
            return new BigInteger(p.textValue().strip().replace("_", ""));
        }
        return null;
    }
}
