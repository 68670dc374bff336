package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ToolDefaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    /** The schema the official TypeScript SDK lists for zod's {@code .default()} (ts-defaults-server.mjs). */
    private static final String ZOD = """
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"volume":{"type":"string"},
             "mode":{"default":"DESTROY","type":"string","enum":["SAFE","DESTROY"]},
             "options":{"default":{},"type":"object","properties":{"force":{"default":true,"type":"boolean"},
             "scope":{"default":"all","type":"string"}}}},"required":["volume"]}""";

    @Test
    void aMemberLeftOutReadsAsItsDefault() throws Exception {
        ToolDefaults defaults = ToolDefaults.of(json(ZOD));
        assertThat(defaults.fills()).isTrue();
        // A default is put in as given: zod 4 and Pydantic do not parse it, so its own members' defaults are not filled.
        assertThat(defaults.filled(json("{\"volume\":\"v1\"}")))
                .containsExactly(json("{\"volume\":\"v1\",\"mode\":\"DESTROY\",\"options\":{}}"));
    }

    @Test
    void givenMembersAreKeptAndNestedObjectsFilled() throws Exception {
        JsonNode arguments = json("{\"volume\":\"v1\",\"mode\":\"SAFE\",\"options\":{\"scope\":\"one\"}}");
        assertThat(ToolDefaults.of(json(ZOD)).filled(arguments))
                .containsExactly(json("{\"volume\":\"v1\",\"mode\":\"SAFE\",\"options\":{\"scope\":\"one\",\"force\":true}}"));
        assertThat(arguments).as("the call's own arguments are not changed")
                .isEqualTo(json("{\"volume\":\"v1\",\"mode\":\"SAFE\",\"options\":{\"scope\":\"one\"}}"));
    }

    @Test
    void argumentsLeavingNothingOutReadAsSent() throws Exception {
        JsonNode complete = json("{\"volume\":\"v1\",\"mode\":\"SAFE\",\"options\":{\"force\":false,\"scope\":\"one\"}}");
        assertThat(ToolDefaults.of(json(ZOD)).filled(complete)).isEmpty();
    }

    @Test
    void aMemberGivenAsNullIsNotFilled() throws Exception {
        // zod's default stands in for undefined only; Pydantic validates an explicit None.
        assertThat(ToolDefaults.of(json(ZOD)).filled(json("{\"volume\":\"v1\",\"mode\":null,\"options\":null}"))).isEmpty();
    }

    @Test
    void aCallWithoutArgumentsReadsAsAnEmptyObject() throws Exception {
        assertThat(ToolDefaults.of(json(ZOD)).filled(null)).singleElement()
                .satisfies(filled -> assertThat(filled.path("mode").asText()).isEqualTo("DESTROY"));
    }

    @Test
    void pydanticDefaultsBesideAReference() throws Exception {
        // Pydantic: `mode: Mode = Mode.DESTROY` lists the enum under $defs and the default beside the $ref.
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"$defs":{"Mode":{"enum":["SAFE","DESTROY"],"type":"string"},
                  "Opts":{"type":"object","properties":{"dry_run":{"type":"boolean","default":false}}}},
                 "type":"object","properties":{"mode":{"$ref":"#/$defs/Mode","default":"DESTROY"},
                  "opts":{"$ref":"#/$defs/Opts"}}}"""));
        assertThat(defaults.filled(json("{\"opts\":{}}")))
                .containsExactly(json("{\"opts\":{\"dry_run\":false},\"mode\":\"DESTROY\"}"));
    }

    @Test
    void aDefaultDeclaredOnTheReferencedSchemaIsFilled() throws Exception {
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"definitions":{"Mode":{"enum":["SAFE","DESTROY"],"default":"DESTROY"}},
                 "type":"object","properties":{"mode":{"$ref":"#/definitions/Mode"}}}"""));
        assertThat(defaults.filled(json("{}"))).containsExactly(json("{\"mode\":\"DESTROY\"}"));
    }

    @Test
    void referencesResolveAsTheClosedSetsReaderResolvesThem() throws Exception {
        // An $anchor, and a pointer within a subschema that is its own resource ($id): resolved against that resource.
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"$defs":{"M":{"$anchor":"mode","enum":["SAFE","DESTROY"],"default":"DESTROY"},
                  "Opts":{"$id":"https://tools.example/opts","$defs":{"Force":{"type":"boolean","default":true}},
                   "type":"object","properties":{"force":{"$ref":"#/$defs/Force"}}}},
                 "type":"object","properties":{"mode":{"$ref":"#mode"},"opts":{"$ref":"#/$defs/Opts"}}}"""));
        assertThat(defaults.filled(json("{\"opts\":{}}")))
                .containsExactly(json("{\"opts\":{\"force\":true},\"mode\":\"DESTROY\"}"));
    }

    @Test
    void eachObjectInAnArrayIsFilled() throws Exception {
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"type":"object","properties":{"steps":{"type":"array","items":{"type":"object",
                  "properties":{"run":{"type":"string"},"sudo":{"type":"boolean","default":true}}}}}}"""));
        assertThat(defaults.filled(json("{\"steps\":[{\"run\":\"ls\"},{\"run\":\"rm\",\"sudo\":false},7]}")))
                .containsExactly(json("{\"steps\":[{\"run\":\"ls\",\"sudo\":true},{\"run\":\"rm\",\"sudo\":false},7]}"));
        assertThat(defaults.filled(json("{\"steps\":[{\"sudo\":false}]}"))).isEmpty();
    }

    @Test
    void unionsReadOncePerBranchThatMayTakeTheValue() throws Exception {
        // A discriminated union: the branch whose kind the value names fills; the other names another constant.
        ToolDefaults union = ToolDefaults.of(json("""
                {"type":"object","properties":{"opts":{"oneOf":[
                  {"type":"object","properties":{"kind":{"const":"disk"},"mode":{"default":"DESTROY"}}},
                  {"type":"object","properties":{"kind":{"const":"none"},"mode":{"default":"SAFE"}}}]}}}"""));
        assertThat(union.filled(json("{\"opts\":{\"kind\":\"disk\"}}")))
                .containsExactly(json("{\"opts\":{\"kind\":\"disk\",\"mode\":\"DESTROY\"}}"));
        // A value naming no kind may be taken by either: both readings.
        assertThat(union.filled(json("{\"opts\":{}}"))).containsExactlyInAnyOrder(
                json("{\"opts\":{\"mode\":\"DESTROY\"}}"), json("{\"opts\":{\"mode\":\"SAFE\"}}"));
        // zod's .nullable(): anyOf [object, null].
        ToolDefaults nullable = ToolDefaults.of(json("""
                {"type":"object","properties":{"opts":{"anyOf":[{"type":"object","properties":{"mode":{"default":"DESTROY"}}},
                  {"type":"null"}]}}}"""));
        assertThat(nullable.filled(json("{\"opts\":{}}"))).containsExactly(json("{\"opts\":{\"mode\":\"DESTROY\"}}"));
        assertThat(nullable.filled(json("{\"opts\":null}"))).isEmpty();
    }

    @Test
    void recordsTuplesAndAllOfFill() throws Exception {
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"$defs":{"Opts":{"type":"object","properties":{"mode":{"default":"DESTROY"}}}},
                 "type":"object","properties":{
                  "map":{"type":"object","additionalProperties":{"$ref":"#/$defs/Opts"}},
                  "tuple":{"type":"array","prefixItems":[{"$ref":"#/$defs/Opts"}]},
                  "described":{"description":"How","allOf":[{"$ref":"#/$defs/Opts"}]}}}"""));
        assertThat(defaults.filled(json("{\"map\":{\"k\":{}},\"tuple\":[{}],\"described\":{}}"))).containsExactly(json(
                "{\"map\":{\"k\":{\"mode\":\"DESTROY\"}},\"tuple\":[{\"mode\":\"DESTROY\"}],\"described\":{\"mode\":\"DESTROY\"}}"));
        // Before 2020-12 a tuple is items as a list.
        ToolDefaults draft07 = ToolDefaults.of(json("""
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{
                  "tuple":{"type":"array","items":[{"type":"object","properties":{"mode":{"default":"DESTROY"}}}]}}}"""));
        assertThat(draft07.filled(json("{\"tuple\":[{}]}"))).containsExactly(json("{\"tuple\":[{\"mode\":\"DESTROY\"}]}"));
    }

    @Test
    void manyReferencesToOneSchemaAreRead() throws Exception {
        // zod 3 writes a reused schema once and $refs it from every other use.
        StringBuilder schema = new StringBuilder("{\"type\":\"object\",\"properties\":{\"mode\":{\"default\":\"DESTROY\"},"
                + "\"f0\":{\"enum\":[\"ON\",\"OFF\"],\"default\":\"OFF\"}");
        for (int i = 1; i < 200; i++) {
            schema.append(",\"f").append(i).append("\":{\"$ref\":\"#/properties/f0\"}");
        }
        ToolDefaults defaults = ToolDefaults.of(json(schema.append("}}").toString()));
        assertThat(defaults.filled(json("{}"))).singleElement()
                .satisfies(filled -> assertThat(filled.path("mode").asText()).isEqualTo("DESTROY"))
                .satisfies(filled -> assertThat(filled.path("f199").asText()).isEqualTo("OFF"));
    }

    @Test
    void schemasWithoutDefaultsFillNothing() throws Exception {
        assertThat(ToolDefaults.of(json("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"))).isSameAs(ToolDefaults.NONE);
        assertThat(ToolDefaults.of(null)).isSameAs(ToolDefaults.NONE);
        assertThat(ToolDefaults.of(json("[1]"))).isSameAs(ToolDefaults.NONE);
        assertThat(ToolDefaults.NONE.filled(json("{}"))).isEmpty();
    }

    @Test
    void unreadableReferencesFillNothing() throws Exception {
        assertThat(ToolDefaults.of(json("{\"properties\":{\"a\":{\"$ref\":\"https://elsewhere/x\",\"default\":1}}}"))).isSameAs(ToolDefaults.NONE);
        assertThat(ToolDefaults.of(json("{\"properties\":{\"a\":{\"$ref\":\"#/nowhere\",\"default\":1}}}"))).isSameAs(ToolDefaults.NONE);
        assertThat(ToolDefaults.of(json("{\"$defs\":{\"x\":{\"$ref\":\"#/$defs/y\"},\"y\":{\"$ref\":\"#/$defs/x\"}},"
                + "\"properties\":{\"a\":{\"$ref\":\"#/$defs/x\",\"default\":1}}}"))).isSameAs(ToolDefaults.NONE);
    }

    @Test
    void aRecursiveSchemaIsReadWithinItsBounds() throws Exception {
        // A tree whose nodes have two children of their own type: unrolled, it would be 2^16 places.
        ToolDefaults defaults = ToolDefaults.of(json("""
                {"$defs":{"Node":{"type":"object","properties":{"label":{"type":"string","default":"x"},
                  "left":{"$ref":"#/$defs/Node"},"right":{"$ref":"#/$defs/Node"}}}},
                 "$ref":"#/$defs/Node"}"""));
        // Too large to unroll: nothing is filled (the call is decided as sent, as before the defaults were read).
        assertThat(defaults).isSameAs(ToolDefaults.NONE);
    }

    @Test
    void equalSchemasReadEqual() throws Exception {
        assertThat(ToolDefaults.of(json(ZOD))).isEqualTo(ToolDefaults.of(json(ZOD)));
        assertThat(ToolDefaults.of(json(ZOD)).hashCode()).isEqualTo(ToolDefaults.of(json(ZOD)).hashCode());
    }
}
