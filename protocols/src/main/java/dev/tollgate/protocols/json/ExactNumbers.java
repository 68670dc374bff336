package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * How the gateway reads numbers, for every reader that must see what it sees (the call parser, {@code explain}):
 * fractions and exponents exactly, as a BigDecimal kept as written ({@code 1.0} stays {@code 1.0}), so policy holds
 * the value a Java BigDecimal field or Python's {@code parse_float=Decimal} reads, and decides on it and on the double
 * JavaScript reads. Read as doubles, {@code 18014398509481985.0} was 2^54 to the rules and 2^54 + 1 to such readers.
 */
public final class ExactNumbers {

    private ExactNumbers() {
    }

    /** {@code mapper}, set to read numbers as the gateway does. */
    public static <M extends ObjectMapper> M readingExactly(M mapper) {
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        return mapper;
    }
}
