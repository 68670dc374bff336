package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.math.BigDecimal;

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
        mapper.setNodeFactory(FloatsStayFloats.INSTANCE);
        return mapper;
    }

    /**
     * {@code 4.00e2} is a BigDecimal of scale 0, which writes back as {@code 400}: an integer token where the peer sent a
     * float (Python reads 400 rather than 400.0), found by {@code StrictJsonParserFuzzTest} when the gateway rewrote a
     * tree. Such a value keeps one fraction digit ({@code 400.0}), so whatever the gateway writes back reads back alike.
     */
    private static final class FloatsStayFloats extends JsonNodeFactory {

        private static final long serialVersionUID = 1L;
        static final FloatsStayFloats INSTANCE = new FloatsStayFloats();

        @Override
        public ValueNode numberNode(BigDecimal value) {
            return super.numberNode(value != null && value.scale() == 0 ? value.setScale(1) : value);
        }
    }
}
