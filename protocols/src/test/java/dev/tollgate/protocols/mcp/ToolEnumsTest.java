package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ToolEnumsTest {

    /** As the gateway parses calls: numbers exactly ({@code ExactNumbers}); a plain mapper's doubles are tried too. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static String outside(String schema, String arguments) throws Exception {
        return ToolEnums.of(json(schema)).outside(json(arguments));
    }

    @Test
    void aPropertysEnumAllowsItsValuesOnly() throws Exception {
        String schema = """
                {"type":"object","properties":{"mode":{"type":"string","enum":["SAFE","DESTROY"]},"disk":{"type":"string"}}}""";
        assertThat(outside(schema, "{\"mode\":\"SAFE\",\"disk\":\"anything\"}")).isNull();
        assertThat(outside(schema, "{\"disk\":\"sda\"}")).as("absent: no value to check").isNull();
        for (String mode : new String[]{"1", "\"1\"", "\"DESTROY \"", "\"destroy\"", "null", "true", "[\"DESTROY\"]", "{}"}) {
            assertThat(outside(schema, "{\"mode\":" + mode + "}")).as(mode).isEqualTo("/mode");
        }
    }

    @Test
    void numbersCompareByValueAndTextsAreNotNumbers() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"level\":{\"enum\":[1,2.5]}}}";
        assertThat(outside(schema, "{\"level\":1.0}")).isNull();
        assertThat(outside(schema, "{\"level\":2.50}")).isNull();
        assertThat(outside(schema, "{\"level\":25e-1}")).isNull();
        assertThat(outside(schema, "{\"level\":\"1\"}")).isEqualTo("/level");
        assertThat(outside(schema, "{\"level\":3}")).isEqualTo("/level");
        assertThat(outside(schema, "{\"level\":1e999999999}")).as("a huge exponent is compared, not expanded").isEqualTo("/level");
        assertThat(ToolEnums.of(json(schema)).outside(new ObjectMapper().readTree("{\"level\":1e999}"))).as("a double parser's Infinity")
                .isEqualTo("/level");
    }

    @Test
    void constNestedPropertiesAndArrayItemsAreRead() throws Exception {
        String schema = """
                {"type":"object","properties":{
                  "kind":{"const":"report"},
                  "target":{"type":"object","properties":{"region":{"enum":["eu","us"]}}},
                  "modes":{"type":"array","items":{"enum":["read","list"]}}}}""";
        assertThat(outside(schema, "{\"kind\":\"report\",\"target\":{\"region\":\"eu\"},\"modes\":[\"read\",\"list\"]}")).isNull();
        assertThat(outside(schema, "{\"kind\":\"wipe\"}")).isEqualTo("/kind");
        assertThat(outside(schema, "{\"target\":{\"region\":\"cn\"}}")).isEqualTo("/target/region");
        assertThat(outside(schema, "{\"modes\":[\"read\",\"write\"]}")).isEqualTo("/modes/1");
    }

    @Test
    void localReferencesAsPydanticWritesThemAreFollowed() throws Exception {
        String schema = """
                {"$defs":{"Mode":{"enum":["safe","destroy"],"type":"string"}},
                 "type":"object",
                 "properties":{
                   "mode":{"$ref":"#/$defs/Mode"},
                   "fallback":{"anyOf":[{"$ref":"#/$defs/Mode"},{"type":"null"}],"default":null},
                   "legacy":{"allOf":[{"$ref":"#/$defs/Mode"}]}}}""";
        assertThat(outside(schema, "{\"mode\":\"safe\",\"fallback\":null,\"legacy\":\"destroy\"}")).isNull();
        assertThat(outside(schema, "{\"mode\":1}")).isEqualTo("/mode");
        assertThat(outside(schema, "{\"fallback\":\"SAFE\"}")).isEqualTo("/fallback");
        assertThat(outside(schema, "{\"legacy\":0}")).isEqualTo("/legacy");
    }

    @Test
    void anAlternativeThatConstrainsNothingLetsEveryValueThrough() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"mode\":{\"anyOf\":[{\"enum\":[\"a\"]},{\"type\":\"string\"}]}}}";
        assertThat(ToolEnums.of(json(schema)).constrains()).isFalse();
        assertThat(outside(schema, "{\"mode\":\"b\"}")).isNull();
    }

    @Test
    void schemasWithoutClosedSetsConstrainNothingAndCyclesEnd() throws Exception {
        assertThat(ToolEnums.of(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}")).constrains()).isFalse();
        assertThat(ToolEnums.of(null).constrains()).isFalse();
        assertThat(ToolEnums.of(json("true")).constrains()).isFalse();
        String cycle = "{\"$defs\":{\"Node\":{\"type\":\"object\",\"properties\":{\"tag\":{\"enum\":[\"x\"]},\"next\":{\"$ref\":\"#/$defs/Node\"}}}},"
                + "\"$ref\":\"#/$defs/Node\"}";
        ToolEnums enums = ToolEnums.of(json(cycle));
        assertThat(enums.outside(json("{\"tag\":\"x\",\"next\":{\"tag\":\"x\",\"next\":{\"tag\":\"y\"}}}"))).isEqualTo("/next/next/tag");
    }

    @Test
    void namesInPointersAreEscaped() throws Exception {
        assertThat(outside("{\"properties\":{\"a/b~c\":{\"enum\":[1]}}}", "{\"a/b~c\":2}")).isEqualTo("/a~1b~0c");
    }

    @Test
    void equalSchemasAreEqual() throws Exception {
        String schema = "{\"properties\":{\"mode\":{\"enum\":[\"a\",\"b\"]}}}";
        assertThat(ToolEnums.of(json(schema))).isEqualTo(ToolEnums.of(json(schema))).hasSameHashCodeAs(ToolEnums.of(json(schema)));
        assertThat(ToolEnums.of(json(schema))).isNotEqualTo(ToolEnums.of(json("{\"properties\":{\"mode\":{\"enum\":[\"a\"]}}}")));
    }
}
