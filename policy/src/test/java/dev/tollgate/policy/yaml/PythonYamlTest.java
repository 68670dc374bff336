package dev.tollgate.policy.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link PythonYaml} reads scalars as PyYAML 6 does ({@code yaml.safe_load}, what AGT 4.1.0 uses): every line of
 * {@code yaml/pyyaml-scalars.tsv} is what Python 3.11's PyYAML made of {@code v: <scalar>} ({@code python3 -c 'import
 * yaml'}; the file says how it was made), and the reader must make the same.
 */
class PythonYamlTest {

    @TestFactory
    Stream<DynamicTest> everyScalarIsReadAsPyYamlReadsIt() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (InputStream in = PythonYamlTest.class.getResourceAsStream("/yaml/pyyaml-scalars.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                String scalar = line.substring(0, tab);
                String expected = line.substring(tab + 1);
                tests.add(DynamicTest.dynamicTest("v: " + scalar + " -> " + expected, () -> assertThat(read(scalar)).isEqualTo(expected)));
            }
        }
        return tests.stream();
    }

    /** The reading in the file's form: type:str(value), or error. */
    private static String read(String scalar) {
        JsonNode v;
        try {
            v = PythonYaml.parse("v: " + scalar + "\n").root().get("v");
        } catch (YamlSyntaxException e) {
            return "error";
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "str:" + v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "bool:True" : "bool:False";
        }
        if (v.isIntegralNumber()) {
            return "int:" + v.bigIntegerValue();
        }
        if (v.isDouble()) {
            return "float:" + pythonRepr(v.doubleValue());
        }
        PythonDate date = (PythonDate) ((POJONode) v).getPojo();
        return (date.hasTime() ? "datetime:" : "date:") + date;
    }

    /** Enough of Python's float repr for the table's floats (checked against it by value below). */
    private static String pythonRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String java = Double.toString(d);
        return switch (java) {
            case "1.0E-5" -> "1e-05";
            default -> java;
        };
    }

    @Test
    void mappingKeysKeepTheirPythonTypes() throws Exception {
        JsonNode v = PythonYaml.parse("v: {401: unauthorized, yes: 1, ~: 2, 0x10: 3, 2026-01-01: 4, '5': 5}").root().get("v");

        PythonDict dict = (PythonDict) ((POJONode) v).getPojo();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.IntNode.valueOf(401))).isTrue();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.DoubleNode.valueOf(16.0))).isTrue();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.IntNode.valueOf(1))).as("True is the key 1").isTrue();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.TextNode.valueOf("401"))).isFalse();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.TextNode.valueOf("5"))).isTrue();
        assertThat(dict.containsKey(com.fasterxml.jackson.databind.node.IntNode.valueOf(5))).isFalse();
        assertThat(PythonYaml.parse("v: {a: 1, '401': 2}").root().get("v").isObject()).as("string keys stay a JSON object").isTrue();
    }

    @Test
    void refusesWhatWouldMeanSomethingElseOrWhatPyYamlRefuses() {
        assertThatThrownBy(() -> PythonYaml.parse("v: {1: a, 1.0: b}")).hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> PythonYaml.parse("v: {true: a, 1: b}")).hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> PythonYaml.parse("a: &x [1]\nb: *x")).hasMessageContaining("aliases");
        assertThatThrownBy(() -> PythonYaml.parse("a: &x {k: 1}\nb:\n  <<: *x")).isInstanceOf(YamlSyntaxException.class);
        assertThatThrownBy(() -> PythonYaml.parse("a:\n  <<: {k: 1}")).hasMessageContaining("merge keys");
        assertThatThrownBy(() -> PythonYaml.parse("v: {[1]: a}")).hasMessageContaining("unhashable");
        assertThatThrownBy(() -> PythonYaml.parse("a: 1\n---\nb: 2")).isInstanceOf(YamlSyntaxException.class);
        assertThatThrownBy(() -> PythonYaml.parse("v: !!set {a}")).hasMessageContaining("tag");
    }

    @Test
    void linesAreThoseOfTheJacksonReading() throws Exception {
        String text = """
                name: n
                rules:
                  - name: r
                    condition: {field: a, operator: eq, value: 1e3}
                  - name: s/t
                    condition:
                      field: b
                """;

        LocatedYaml python = PythonYaml.parse(text);
        LocatedYaml jackson = LocatedYaml.parse(text);

        assertThat(python.linesByPointer()).isEqualTo(jackson.linesByPointer());
    }

    /**
     * Where YAML 1.1 and 1.2 agree, the tree is the very one Jackson reads (node types included): every AGT document of
     * the differential test but those written to differ (yaml-scalars, and the unquoted {@code end_time: 17:00} that
     * YAML 1.1 reads as the integer 1020).
     */
    @Test
    void theDifferentialDocumentsReadAsJacksonReadsThem() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/agt-differential/documents"))) {
            // The documents, not their .cases.yaml (Tollgate's test calls, read as gateway YAML).
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("yaml-scalars")
                    && !f.getFileName().toString().equals("load-dynamic-end-time-unquoted.yaml")
                    && !f.getFileName().toString().endsWith(".cases.yaml")).sorted().toList()) {
                String text = Files.readString(file);
                LocatedYaml jackson;
                try {
                    jackson = LocatedYaml.parse(text);
                } catch (YamlSyntaxException e) {
                    continue;
                }
                assertThat(PythonYaml.parse(text).root()).as(file.toString()).isEqualTo(jackson.root());
            }
        }
    }
}
