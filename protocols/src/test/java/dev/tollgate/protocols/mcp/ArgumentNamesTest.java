package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ArgumentNamesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ArgumentNames WIPE = ArgumentNames.of(json("""
            {"type": "object", "$defs": {"opts": {"type": "object", "properties": {"force": {"type": "boolean"}}}},
             "properties": {"mode": {"enum": ["SAFE", "DESTROY"]}, "Disk": {"type": "string"},
                            "options": {"$ref": "#/$defs/opts"},
                            "steps": {"type": "array", "items": {"properties": {"kind": {"type": "string"}}}},
                            "env": {"type": "object", "additionalProperties": {"type": "string"}}},
             "anyOf": [{"properties": {"level": {"type": "integer"}}}]}
            """));

    @ParameterizedTest(name = "{0} folds to {1}")
    @CsvSource({
            "mode, mode", "MODE, mode", "MoDe, mode",
            "\u212Aind, kind",      // KELVIN SIGN: Go's SimpleFold orbit k K \u212A
            "\u017Fteps, steps",    // LONG S: Go's orbit s S \u017F; .NET: upper case S
            "d\u0131sk, disk",      // Turkish dotless i: upper case I (Go's foldName and .NET take it as i)
            "D\u0130SK, disk",      // Turkish dotted capital I: lower case i
            "\u03A3\u03C2, \u03C3\u03C3", // final sigma and capital sigma
            "stra\u00DFe, stra\u00DFe"}) // no simple case mapping changes \u00DF: not folded to ss
    void foldsAsGoAndDotNetBindersMatchNames(String name, String folded) {
        assertThat(ArgumentNames.fold(name)).isEqualTo(folded);
    }

    @Test
    void aLowerCaseAsciiNameIsItsOwnFoldWithoutACopy() {
        String name = "mode_2-x";
        assertThat(ArgumentNames.fold(name)).isSameAs(name);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"MODE\": \"DESTROY\"}|/MODE",
            "{\"mode\": \"SAFE\", \"Mode\": \"DESTROY\"}|/Mode",
            "{\"Mode\": \"DESTROY\", \"mode\": \"SAFE\"}|/Mode",     // Mode itself is not the declared spelling
            "{\"disk\": \"sda\"}|/disk",                        // declared Disk, sent disk
            "{\"options\": {\"FORCE\": true}}|/options/FORCE",  // nested, through a $ref
            "{\"options\": {\"force\": true}, \"\u017Fteps\": []}|/\u017Fteps",
            "{\"x\": {\"options\": 1}, \"level\": 1, \"lev\u0435l\": 2}|null",    // Cyrillic e folds to no Latin letter
            "{\"steps\": [{\"kind\": \"a\"}, {\"\u212Aind\": \"b\"}]}|/steps/1/\u212Aind",
            "{\"LEVEL\": 3}|/LEVEL",                             // an anyOf branch's name
            "{\"x\": 1, \"X\": 2}|/X",                           // nothing declares x: two spellings still refused
            "{\"a~b\": 1, \"A~B\": 2}|/A~0B"})
    void refusesAnArgumentNamedTwoWays(String arguments, String pointer) {
        assertThat(ArgumentNames.ambiguous(json(arguments), WIPE, ArgumentNames.NONE)).isEqualTo("null".equals(pointer) ? null : pointer);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"mode\": \"DESTROY\", \"Disk\": \"sda\", \"options\": {\"force\": true}, \"level\": 1}",
            "{\"steps\": [{\"kind\": \"a\"}, {\"kind\": \"b\", \"other\": 1}]}",
            "{\"env\": {\"PATH\": \"/bin\", \"path\": \"x\"}}", // a free-form map: keys are data, not names
            "{\"unknown\": 1, \"Other\": 2}",                     // names nothing declares, folding to nothing else
            "{}"})
    void allowsEveryArgumentSpelledOneWay(String arguments) {
        assertThat(ArgumentNames.ambiguous(json(arguments), WIPE, ArgumentNames.NONE)).isNull();
    }

    @Test
    void holdsTheNamesAPolicyReadsForAToolNeverListed() {
        ArgumentNames read = ArgumentNames.ofPointers(Set.of("/mode", "/opts/level", "/items/0/kind", ""));
        assertThat(ArgumentNames.ambiguous(json("{\"MODE\": \"DESTROY\"}"), ArgumentNames.NONE, read)).isEqualTo("/MODE");
        assertThat(ArgumentNames.ambiguous(json("{\"opts\": {\"Level\": 9}}"), ArgumentNames.NONE, read)).isEqualTo("/opts/Level");
        assertThat(ArgumentNames.ambiguous(json("{\"items\": [{\"KIND\": 1}]}"), ArgumentNames.NONE, read)).isEqualTo("/items/0/KIND");
        assertThat(ArgumentNames.ambiguous(json("{\"mode\": \"DESTROY\", \"opts\": {\"level\": 9}}"), ArgumentNames.NONE, read)).isNull();
    }

    @Test
    void aNameTheSchemaDeclaresExactlyIsAllowedBesideAPolicyReadingAnotherSpelling() {
        ArgumentNames declared = ArgumentNames.of(json("{\"properties\": {\"Mode\": {}}}"));
        ArgumentNames read = ArgumentNames.ofPointers(List.of("/mode"));
        assertThat(ArgumentNames.ambiguous(json("{\"Mode\": \"x\"}"), declared, read)).isNull();
        assertThat(ArgumentNames.ambiguous(json("{\"MODE\": \"x\"}"), declared, read)).isEqualTo("/MODE");
        // The schema's spelling decides where it declares the fold: the tool binds Mode, so mode is another spelling of it.
        assertThat(ArgumentNames.ambiguous(json("{\"mode\": \"x\"}"), declared, read)).isEqualTo("/mode");
    }

    @Test
    void aKeyFoldingToANameTheSchemaDeclaresIsHeldToTheSchemasSpellingWhateverThePolicyReads() {
        // Review CJ: a rule of another tool reading /Mode made Mode "exact" for a tool declaring mode.
        ArgumentNames declared = ArgumentNames.of(json("{\"properties\": {\"mode\": {}}}"));
        ArgumentNames read = ArgumentNames.ofPointers(List.of("/Mode", "/mode"));
        assertThat(ArgumentNames.ambiguous(json("{\"Mode\": \"DESTROY\"}"), declared, read)).isEqualTo("/Mode");
        assertThat(ArgumentNames.ambiguous(json("{\"mode\": \"DESTROY\"}"), declared, read)).isNull();
    }

    /**
     * Brief DD: Pydantic binds a field by its alias and, with {@code validate_by_name}/{@code populate_by_name} (the idiom
     * {@code ConfigDict(alias_generator=to_camel, populate_by_name=True)}), by its Python name: a listed {@code dryRun} is
     * also bound from {@code dry_run}. Such a spelling of a declared (or policy-read) name is refused like a case variant.
     */
    @Test
    void aSnakeOrKebabSpellingOfADeclaredCamelCaseNameIsRefusedAsPydanticBindsBoth() {
        ArgumentNames declared = ArgumentNames.of(json("""
                {"properties": {"dryRun": {"type": "boolean"},
                                "config": {"properties": {"dryRun": {"type": "boolean"}, "target_env": {"type": "string"}}}}}
                """));
        assertThat(ArgumentNames.ambiguous(json("{\"config\": {\"dry_run\": false}}"), declared, ArgumentNames.NONE))
                .isEqualTo("/config/dry_run");
        assertThat(ArgumentNames.ambiguous(json("{\"dry_run\": false}"), declared, ArgumentNames.NONE)).isEqualTo("/dry_run");
        assertThat(ArgumentNames.ambiguous(json("{\"dry-run\": false}"), declared, ArgumentNames.NONE)).isEqualTo("/dry-run");
        assertThat(ArgumentNames.ambiguous(json("{\"config\": {\"targetEnv\": \"prod\"}}"), declared, ArgumentNames.NONE))
                .isEqualTo("/config/targetEnv");
        assertThat(ArgumentNames.ambiguous(json("{\"dryRun\": true, \"config\": {\"dryRun\": true, \"target_env\": \"dev\"}}"),
                declared, ArgumentNames.NONE)).isNull();
        // A rule reading /config/dryRun on a tool never listed: the other spelling is refused too.
        assertThat(ArgumentNames.ambiguous(json("{\"config\": {\"dry_run\": false}}"), ArgumentNames.NONE,
                ArgumentNames.ofPointers(List.of("/config/dryRun")))).isEqualTo("/config/dry_run");
        // Nothing declared: two keys of one object a binder may read as one.
        assertThat(ArgumentNames.ambiguous(json("{\"dryRun\": true, \"dry_run\": false}"), ArgumentNames.NONE, ArgumentNames.NONE))
                .isEqualTo("/dry_run");
        // Both spellings declared exactly: two arguments of the tool's own.
        ArgumentNames both = ArgumentNames.of(json("{\"properties\": {\"dryRun\": {}, \"dry_run\": {}}}"));
        assertThat(ArgumentNames.ambiguous(json("{\"dryRun\": true, \"dry_run\": false}"), both, ArgumentNames.NONE)).isNull();
    }

    @Test
    void twoNamesTheSchemaDeclaresExactlyMaySitSideBySide() {
        ArgumentNames declared = ArgumentNames.of(json("{\"properties\": {\"ID\": {}, \"id\": {}}}"));
        assertThat(ArgumentNames.ambiguous(json("{\"ID\": \"PROJ-12\", \"id\": \"4411\"}"), declared, ArgumentNames.NONE)).isNull();
        assertThat(ArgumentNames.ambiguous(json("{\"id\": \"4411\", \"ID\": \"PROJ-12\"}"), declared, ArgumentNames.NONE)).isNull();
        assertThat(ArgumentNames.ambiguous(json("{\"ID\": 1, \"id\": 2, \"Id\": 3}"), declared, ArgumentNames.NONE)).isEqualTo("/Id");
        // Declared exactly by the policy only: still two spellings one binder reads as one.
        assertThat(ArgumentNames.ambiguous(json("{\"ID\": 1, \"id\": 2}"), ArgumentNames.NONE,
                ArgumentNames.ofPointers(List.of("/ID", "/id")))).isEqualTo("/id");
    }

    @Test
    void aSchemaReferringBackToItselfFromManyBranchesIsReadOncePerPlace() {
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            refs.append(i == 0 ? "" : ",").append("{\"$ref\": \"#/properties/a\"}");
        }
        ArgumentNames declared = ArgumentNames.of(json("{\"properties\": {\"a\": {\"anyOf\": [" + refs
                + ", {\"properties\": {\"mode\": {}}}]}}}"));
        assertThat(ArgumentNames.ambiguous(json("{\"A\": 1}"), declared, ArgumentNames.NONE)).isEqualTo("/A");
        assertThat(ArgumentNames.ambiguous(json("{\"a\": {\"MODE\": 1}}"), declared, ArgumentNames.NONE)).isEqualTo("/a/MODE");
    }

    @Test
    void aSchemaNeedingMoreReadingThanTheBudgetDeclaresNothing() {
        StringBuilder branches = new StringBuilder();
        for (int i = 0; i <= ArgumentNames.MAX_VISITS; i++) {
            branches.append(i == 0 ? "" : ",").append("{\"title\": \"").append(i).append("\"}");
        }
        assertThat(ArgumentNames.of(json("{\"properties\": {\"mode\": {}}, \"anyOf\": [" + branches + "]}")).declares()).isFalse();
    }

    @Test
    void anUnreadableOrCyclicSchemaDeclaresWhatItCanWithinBounds() {
        assertThat(ArgumentNames.of(json("{\"$ref\": \"#\", \"properties\": {\"a\": {\"$ref\": \"#\"}}}")).declares()).isTrue();
        assertThat(ArgumentNames.of(null).declares()).isFalse();
        assertThat(ArgumentNames.of(json("[1]")).declares()).isFalse();
        assertThat(ArgumentNames.ambiguous(json("[1]"), WIPE, ArgumentNames.NONE)).isNull();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
