package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Review CG reproducers: ToolEnums reading as constraining what JSON Schema does not constrain (a valid call refused).
 */
class ToolEnumsLowReviewCGTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static String outside(String schema, String arguments) throws Exception {
        return ToolEnums.of(JSON.readTree(schema)).outside(JSON.readTree(arguments));
    }

    /**
     * Numbers compare by value at every depth (JSON Schema instance equality): an enum member [1, 2] holds for [1.0, 2].
     * The reader compared arrays and objects as Jackson does (IntNode 1 differs from DecimalNode 1.0): refused (low, exotic).
     */
    @Test
    void numbersInsideAnArrayEnumMemberCompareByValue() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"range\":{\"enum\":[[1,2]]}}}";
        assertThat(outside(schema, "{\"range\":[1,2]}")).as("control").isNull();
        assertThat(outside(schema, "{\"range\":[1.0,2]}")).isNull();
    }

    /**
     * A bundled (compound) 2020-12 schema: a subschema with its own {@code $id} is a resource of its own, and a
     * {@code #/...} reference inside it resolves against that resource, not the root document. The reader resolves it
     * against the root, where a same-named definition holds an enum: a valid call refused (low: bundled schemas only).
     */

    @Test
    void aReferenceInsideAnEmbeddedResourceResolvesAgainstThatResource() throws Exception {
        String schema = """
                {"type":"object","$defs":{"m":{"enum":["A"]}},
                 "properties":{"job":{"$id":"https://example.com/job.json","$defs":{"m":{"type":"string"}},
                   "type":"object","properties":{"mode":{"$ref":"#/$defs/m"}}}}}""";
        assertThat(outside(schema, "{\"job\":{\"mode\":\"B\"}}")).isNull();
    }

    /**
     * An {@code $anchor} is a keyword of a schema, not of a value: the reader searches every node, values of
     * {@code examples}/{@code default} included, and takes the first it meets. Here an example object names the anchor
     * before the real definition: its enum is read as the constraint (low: contrived).
     */

    @Test
    void anAnchorInsideAnExampleValueIsNotASchema() throws Exception {
        String schema = """
                {"type":"object","examples":[{"$anchor":"mode","enum":["only"]}],
                 "properties":{"mode":{"$ref":"#mode"}},
                 "$defs":{"m":{"$anchor":"mode","type":"string"}}}""";
        assertThat(outside(schema, "{\"mode\":\"other\"}")).isNull();
    }

    /**
     * A schema declaring draft-07 ({@code $schema}, as zod-to-json-schema writes by default): there, every keyword beside
     * {@code $ref} is ignored. The reader holds the value to the sibling enum too (the 2020-12 reading): a value a
     * draft-07 validating server accepts is refused (low: a sibling enum beside $ref is rare in generated schemas).
     */

    @Test
    void aDraft07SchemaIgnoresAnEnumBesideRef() throws Exception {
        String schema = """
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
                 "definitions":{"m":{"type":"string"}},
                 "properties":{"mode":{"$ref":"#/definitions/m","enum":["A"]}}}""";
        assertThat(outside(schema, "{\"mode\":\"B\"}")).isNull();
    }
}
