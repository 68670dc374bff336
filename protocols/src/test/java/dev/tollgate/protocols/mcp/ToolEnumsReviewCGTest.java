package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Review CG reproducers: ToolEnums reading as constraining what JSON Schema does not constrain (a valid call refused).
 */
class ToolEnumsReviewCGTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static String outside(String schema, String arguments) throws Exception {
        return ToolEnums.of(JSON.readTree(schema)).outside(JSON.readTree(arguments));
    }

    /**
     * JSON Schema 2020-12 10.3.2.3: additionalProperties applies only to members that neither properties nor
     * patternProperties match. A pattern whose schema holds no closed set is dropped by the reader, so a member it
     * matches is held to additionalProperties' enum: {"x-note": "hello"} is valid and is refused (high: a valid call refused).
     */
    @Test
    void aMemberMatchedByAFreePatternIsNotHeldToAdditionalProperties() throws Exception {
        String schema = """
                {"type":"object","patternProperties":{"^x-":{"type":"string"}},
                 "additionalProperties":{"enum":["on","off"]}}""";
        assertThat(outside(schema, "{\"flag\":\"on\"}")).as("control: additional member in the set").isNull();
        assertThat(outside(schema, "{\"flag\":\"maybe\"}")).as("control: additional member outside the set").isEqualTo("/flag");
        assertThat(outside(schema, "{\"x-note\":\"hello\"}")).as("a patternProperties member is not additional").isNull();
    }

    /** The same with a pattern whose schema is the boolean schema {@code true}. */

    @Test
    void aMemberMatchedByATruePatternIsNotHeldToAdditionalProperties() throws Exception {
        String schema = """
                {"type":"object","patternProperties":{"^meta_":true},"additionalProperties":{"enum":["on","off"]}}""";
        assertThat(outside(schema, "{\"meta_owner\":\"alice\"}")).isNull();
    }

    /**
     * Numbers compare by value at every depth (JSON Schema instance equality): an enum member [1] holds for [1.0]. The
     * reader compares arrays and objects as Jackson does (IntNode 1 differs from DecimalNode 1.0): refused (low, exotic).
     */
}
