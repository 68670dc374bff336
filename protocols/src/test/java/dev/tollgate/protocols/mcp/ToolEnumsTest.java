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

    @Test
    void membersAndElementsArePlacedAsJsonSchemaPlacesThem() throws Exception {
        String schema = """
                {"type":"object","properties":{
                  "modes":{"type":"object","properties":{"boot":{"type":"string"}},
                           "patternProperties":{"^sd":{"enum":["SAFE"]}},"additionalProperties":{"enum":["SAFE","DESTROY"]}},
                  "steps":{"type":"array","prefixItems":[{"type":"string"},{"enum":["A"]}],"items":{"enum":["B"]}},
                  "old":{"type":"array","items":[{"enum":["X"]}],"additionalItems":{"enum":["Y"]}}}}""";
        assertThat(outside(schema, "{\"modes\":{\"boot\":\"anything\",\"sda\":\"SAFE\",\"nvme\":\"DESTROY\"}}")).isNull();
        assertThat(outside(schema, "{\"modes\":{\"sda\":\"DESTROY\"}}")).as("a pattern's set").isEqualTo("/modes/sda");
        assertThat(outside(schema, "{\"modes\":{\"nvme\":1}}")).as("additional members").isEqualTo("/modes/nvme");
        assertThat(outside(schema, "{\"steps\":[\"free\",\"A\",\"B\",\"B\"]}")).isNull();
        assertThat(outside(schema, "{\"steps\":[\"free\",\"B\"]}")).isEqualTo("/steps/1");
        assertThat(outside(schema, "{\"steps\":[\"free\",\"A\",\"A\"]}")).as("rest items").isEqualTo("/steps/2");
        assertThat(outside(schema, "{\"old\":[\"X\",\"Y\"]}")).isNull();
        assertThat(outside(schema, "{\"old\":[\"Y\"]}")).as("items as a list, before 2020-12").isEqualTo("/old/0");
        assertThat(outside(schema, "{\"old\":[\"X\",\"X\"]}")).as("additionalItems").isEqualTo("/old/1");
    }

    @Test
    void anchorsAndTheSchemasOwnIdResolveAndOtherDocumentsAreNotFetched() throws Exception {
        String schema = """
                {"$id":"https://tools.example/wipe","$defs":{"Mode":{"$anchor":"Mode","enum":["SAFE"]}},"type":"object",
                 "properties":{"a":{"$ref":"#Mode"},"b":{"$ref":"https://tools.example/wipe#/$defs/Mode"},
                               "c":{"$ref":"https://elsewhere.example/mode.json"},"d":{"$ref":"#nowhere"}}}""";
        assertThat(outside(schema, "{\"a\":\"SAFE\",\"b\":\"SAFE\",\"c\":1,\"d\":1}")).isNull();
        assertThat(outside(schema, "{\"a\":1}")).isEqualTo("/a");
        assertThat(outside(schema, "{\"b\":1}")).isEqualTo("/b");
    }

    @Test
    void alternativesThatAreEachAClosedSetAreReadAsOneSet() throws Exception {
        StringBuilder branches = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            branches.append(i == 0 ? "" : ",").append("{\"const\":\"v").append(i).append("\",\"description\":\"value ").append(i).append("\"}");
        }
        String schema = "{\"properties\":{\"v\":{\"oneOf\":[" + branches + "]}}}";
        assertThat(ToolEnums.of(json(schema))).as("one set").isEqualTo(ToolEnums.of(json("{\"properties\":{\"v\":{\"enum\":["
                + java.util.stream.IntStream.range(0, 200).mapToObj(i -> "\"v" + i + "\"").collect(java.util.stream.Collectors.joining(","))
                + "]}}}")));
        assertThat(outside(schema, "{\"v\":\"v7\"}")).isNull();
        assertThat(outside(schema, "{\"v\":\"v200\"}")).isEqualTo("/v");
    }

    @Test
    void aCheckPastItsStepBudgetIsOutside() throws Exception {
        String schema = "{\"properties\":{\"v\":{\"type\":\"array\",\"items\":{\"enum\":[1]}}}}";
        String many = "{\"v\":[" + "1,".repeat(ToolEnums.MAX_STEPS + 10) + "1]}";
        assertThat(outside(schema, many)).as("fail closed").startsWith("/v/");
        assertThat(outside(schema, "{\"v\":[" + "1,".repeat(1000) + "1]}")).isNull();
    }

    @Test
    void aPatternRe2CannotReadHoldsEveryMember() throws Exception {
        String schema = "{\"properties\":{\"m\":{\"patternProperties\":{\"(?<=x)y\":{\"enum\":[\"SAFE\"]}}}}}";
        assertThat(outside(schema, "{\"m\":{\"anything\":\"DESTROY\"}}")).isEqualTo("/m/anything");
    }

    @Test
    void objectValuesCompareWhateverTheirMembersOrder() throws Exception {
        String schema = "{\"properties\":{\"d\":{\"enum\":[{\"unit\":\"s\",\"n\":1}]}}}";
        assertThat(outside(schema, "{\"d\":{\"n\":1,\"unit\":\"s\"}}")).isNull();
        assertThat(outside(schema, "{\"d\":{\"n\":2,\"unit\":\"s\"}}")).isEqualTo("/d");
    }

    @Test
    void arrayAndObjectMembersCompareNumbersByValueAtEveryDepth() throws Exception {
        String schema = "{\"properties\":{\"d\":{\"enum\":[{\"n\":[1,2.5],\"on\":true}]},\"c\":{\"const\":[0]}}}";
        assertThat(outside(schema, "{\"d\":{\"on\":true,\"n\":[1.0,2.50]},\"c\":[0.0]}")).isNull();
        assertThat(outside(schema, "{\"d\":{\"on\":true,\"n\":[1,3]}}")).isEqualTo("/d");
        assertThat(outside(schema, "{\"d\":{\"on\":true,\"n\":[\"1\",2.5]}}")).as("a text is not a number").isEqualTo("/d");
        assertThat(outside(schema, "{\"d\":{\"on\":true,\"n\":[1,2.5],\"more\":null}}")).isEqualTo("/d");
        assertThat(outside(schema, "{\"c\":[null]}")).isEqualTo("/c");
    }

    @Test
    void comparingAValueTakesStepsFromTheBudget() throws Exception {
        String huge = "[" + "1,".repeat(ToolEnums.MAX_STEPS + 10) + "1]";
        String schema = "{\"properties\":{\"v\":{\"enum\":[" + huge + "]}}}";
        assertThat(outside(schema, "{\"v\":" + huge + "}")).as("listed, but too costly to compare: fail closed").isEqualTo("/v");
        String small = "[" + "1,".repeat(1000) + "1]";
        assertThat(outside("{\"properties\":{\"v\":{\"enum\":[" + small + "]}}}", "{\"v\":" + small + "}")).isNull();
    }

    @Test
    void referencesResolveAgainstTheResourceTheyAreWrittenIn() throws Exception {
        String schema = """
                {"$id":"https://tools.example/root.json","$defs":{"m":{"$anchor":"m","enum":["A"]}},"type":"object",
                 "properties":{
                   "job":{"$id":"job.json","$defs":{"m":{"$anchor":"m","enum":["J"]}},
                          "properties":{"byPointer":{"$ref":"#/$defs/m"},"byName":{"$ref":"#m"},"up":{"$ref":"root.json#m"}}},
                   "into":{"$ref":"job.json#/$defs/m"},"intoByName":{"$ref":"https://tools.example/job.json#m"},
                   "escaped":{"$ref":"#/$defs/a%20b"}},
                 "definitions":{"a b":{"enum":["E"]}}}""".replace("#/$defs/a%20b", "#/definitions/a%20b");
        assertThat(outside(schema, "{\"job\":{\"byPointer\":\"J\",\"byName\":\"J\",\"up\":\"A\"},\"into\":\"J\",\"intoByName\":\"J\","
                + "\"escaped\":\"E\"}")).isNull();
        assertThat(outside(schema, "{\"job\":{\"byPointer\":\"A\"}}")).isEqualTo("/job/byPointer");
        assertThat(outside(schema, "{\"job\":{\"byName\":\"A\"}}")).isEqualTo("/job/byName");
        assertThat(outside(schema, "{\"job\":{\"up\":\"J\"}}")).isEqualTo("/job/up");
        assertThat(outside(schema, "{\"into\":\"A\"}")).isEqualTo("/into");
        assertThat(outside(schema, "{\"intoByName\":\"A\"}")).isEqualTo("/intoByName");
        assertThat(outside(schema, "{\"escaped\":\"a b\"}")).as("a fragment is percent-decoded").isEqualTo("/escaped");
    }

    @Test
    void namesAreReadFromSchemasNeverFromValues() throws Exception {
        String schema = """
                {"type":"object","default":{"$anchor":"m","enum":["d"]},"x-extra":{"$anchor":"m","enum":["x"]},
                 "properties":{"mode":{"$ref":"#m","default":{"$anchor":"m"},"examples":[{"$id":"https://x.example/"}]},
                               "other":{"const":{"$anchor":"m","enum":["c"]}},"more":{"enum":[{"$anchor":"m"}]}},
                 "$defs":{"m":{"$anchor":"m","enum":["real"]}}}""";
        assertThat(outside(schema, "{\"mode\":\"real\"}")).isNull();
        assertThat(outside(schema, "{\"mode\":\"d\"}")).isEqualTo("/mode");
        String twice = "{\"$defs\":{\"a\":{\"$anchor\":\"m\",\"enum\":[1]},\"b\":{\"$anchor\":\"m\",\"enum\":[2]}},"
                + "\"properties\":{\"v\":{\"$ref\":\"#m\"},\"w\":{\"enum\":[3]}}}";
        assertThat(ToolEnums.of(json(twice)).constrains()).as("one name, two schemas: not read").isFalse();
    }

    @Test
    void theDraftTheSchemaNamesDecidesHowItIsRead() throws Exception {
        String draft07 = """
                {"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"m":{"enum":["A","B"]}},
                 "properties":{"mode":{"$ref":"#/definitions/m","enum":["A"]},"named":{"$ref":"#N"},
                   "list":{"type":"array","prefixItems":[{"enum":["P"]}],"items":{"enum":["I"]}}},
                 "$defs":{"n":{"$id":"#N","const":"n"}}}""";
        assertThat(outside(draft07, "{\"mode\":\"B\",\"named\":\"n\",\"list\":[\"I\",\"I\"]}")).isNull();
        assertThat(outside(draft07, "{\"mode\":\"C\"}")).as("the $ref still holds").isEqualTo("/mode");
        assertThat(outside(draft07, "{\"named\":\"m\"}")).as("an $id fragment names its schema").isEqualTo("/named");
        assertThat(outside(draft07, "{\"list\":[\"P\"]}")).as("no prefixItems before 2020-12").isEqualTo("/list/0");
        String modern = "{\"$defs\":{\"m\":{\"enum\":[\"A\",\"B\"]}},\"properties\":{\"mode\":{\"$ref\":\"#/$defs/m\",\"enum\":[\"A\"]}}}";
        for (String declared : new String[]{"", "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",",
                "\"$schema\":\"https://json-schema.org/draft/2019-09/schema#\","}) {
            assertThat(outside("{" + declared + modern.substring(1), "{\"mode\":\"B\"}")).as("siblings hold: " + declared).isEqualTo("/mode");
        }
        String draft04 = "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"properties\":{\"k\":{\"const\":\"x\"},"
                + "\"m\":{\"id\":\"#M\",\"enum\":[1]},\"r\":{\"$ref\":\"#M\"}}}";
        assertThat(outside(draft04, "{\"k\":\"y\",\"r\":1}")).as("draft-04 has no const").isNull();
        assertThat(outside(draft04, "{\"r\":2}")).as("draft-04 names with id").isEqualTo("/r");
    }

    @Test
    void aSchemaWhoseDraftIsNotKnownIsNotRead() throws Exception {
        assertThat(ToolEnums.of(json("{\"$schema\":\"https://example.com/my-meta\",\"properties\":{\"m\":{\"enum\":[1]}}}")).constrains())
                .isFalse();
        assertThat(ToolEnums.of(json("{\"properties\":{\"m\":{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"enum\":[1]}}}"))
                .constrains()).as("a subschema naming another draft").isFalse();
        String movedRef = """
                {"$schema":"http://json-schema.org/draft-07/schema","$id":"https://a.example/root.json",
                 "definitions":{"m":{"enum":[1]}},"properties":{"v":{"$id":"https://b.example/","$ref":"#/definitions/m"}}}""";
        assertThat(ToolEnums.of(json(movedRef)).constrains()).as("validators differ on a sibling $id").isFalse();
    }

    @Test
    void aSchemaNestedPastTheIndexDepthIsNotRead() throws Exception {
        String inner = "{\"type\":\"string\"}";
        for (int i = 1; i < SchemaResources.MAX_DEPTH; i++) {
            inner = "{\"properties\":{\"a\":" + inner + "}}";
        }
        String within = "{\"properties\":{\"m\":{\"enum\":[1]},\"a\":" + inner + "}}";
        assertThat(ToolEnums.of(json(within)).constrains()).isTrue();
        String past = "{\"properties\":{\"m\":{\"enum\":[1]},\"a\":{\"properties\":{\"a\":" + inner + "}}}}";
        assertThat(ToolEnums.of(json(past)).constrains()).as("its names cannot all be known").isFalse();
    }
}
