package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;

/** An AGT rule's priority as AGT's schema reads it: shared by the loader and the importer so both read it alike. */
public final class AgtPriority {

    private AgtPriority() {
    }

    /** The priority: absent is 0; an int, "100" and 100.0 are 100; null when it is no integer (the rule is refused). */
    public static Integer of(JsonNode p) {
        if (p == null || p.isNull()) {
            return 0;
        }
        if (p.isIntegralNumber() && p.canConvertToInt()) {
            return p.intValue();
        }
        if (p.isFloatingPointNumber() && p.doubleValue() == Math.rint(p.doubleValue()) && Math.abs(p.doubleValue()) <= Integer.MAX_VALUE) {
            return (int) p.doubleValue();
        }
        if (p.isTextual() && p.textValue().strip().matches("[+-]?[0-9]{1,9}")) {
            return Integer.parseInt(p.textValue().strip());
        }
        return null;
    }
}
