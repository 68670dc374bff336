package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.LocatedYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review CD (AS, YAML 1.2): {@code LocatedYaml} decides whether a scalar is plain by finding Jackson's line and column in
 * the text, counting lines at CR and LF only. SnakeYAML also breaks lines at NEL (U+0085), LINE SEPARATOR (U+2028) and
 * PARAGRAPH SEPARATOR (U+2029), so one such character in a comment or a description (pasted text; windows-1252's
 * ellipsis 0x85 read as Latin-1 is NEL) shifts every later line: a plain scalar on the last line is then looked up past
 * the end of the text, taken as not plain, and keeps Jackson's YAML 1.1 reading. {@code 0777} is octal 511 again, the
 * very reading fixAS removed: a chmod rule denying {@code 0777} no longer denies the mode a call sends (777 or
 * "0777"), and a test case written {@code mode: 0777} in the same shape passes against it.
 */
class Yaml12LineBreaksReviewCDTest {

    /** A policy whose comment holds one of YAML 1.1's extra line breaks; the operands sit on its last line. */
    private static String policy(char lineBreak) {
        return "# chmod guard, pasted from the runbook" + lineBreak + "\n"
                + "name: p\n"
                + "defaults: {action: allow}\n"
                + "rules:\n"
                + "  - {name: no-world-writable, condition: {all: [{tool: chmod}, {arg: {path: /mode, in: [0777, 0666]}}]}, action: deny}\n";
    }

    @ParameterizedTest
    @ValueSource(chars = {'\u0085', '\u2028', '\u2029'})
    void aLeadingZeroStaysDecimalAfterANelOrUnicodeLineSeparator(char lineBreak) throws Exception {
        assertThat(LocatedYaml.parse(policy(lineBreak), true).root().at("/rules/0/condition/all/1/arg/in").toString())
                .isEqualTo("[777,666]");
    }

    @ParameterizedTest
    @ValueSource(chars = {'\u0085', '\u2028', '\u2029'})
    void theModeACallSendsIsDeniedAsWithoutTheSeparator(char lineBreak, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), policy(lineBreak));
        Files.writeString(dir.resolve("p.tests.yaml"), """
                tests:
                  - {name: "777 as sent", policy: p, call: {tool: chmod, arguments: {mode: 777}}, expect: {action: deny}}
                  - {name: "0777 as sent", policy: p, call: {tool: chmod, arguments: {mode: "0777"}}, expect: {action: deny}}
                  - {name: "octal 511 is another mode", policy: p, call: {tool: chmod, arguments: {mode: 511}}, expect: {action: allow}}
                """);

        List<PolicyTestResult> results = PolicyTestRunner.run(PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults()), dir);

        assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }

    /**
     * Low, same cause: a file saved with a byte order mark (Windows editors) has every column of its first line one off, so
     * a quoted scalar there is looked up at the character before its quote and taken as plain: the text '0777' becomes
     * the number 777 (and a quoted '007' the number 7).
     */
    @Test
    void aQuotedScalarOnTheFirstLineOfAFileWithAByteOrderMarkStaysText() throws Exception {
        assertThat(LocatedYaml.parse("\uFEFFv: '0777'\nw: 0777\n", true).root().toString()).isEqualTo("{\"v\":\"0777\",\"w\":777}");
    }
}
