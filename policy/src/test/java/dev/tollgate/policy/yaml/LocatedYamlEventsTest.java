package dev.tollgate.policy.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * fixAW (review CD): a scalar's style and tag come from SnakeYAML's events, not from a line and column lookup; a tagged
 * scalar is read with YAML 1.2's forms of its tag; one document per file.
 */
class LocatedYamlEventsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "v: ! 0777|{\"v\":\"0777\"}",
            "v: !!str 0777|{\"v\":\"0777\"}",
            "v: !!int \"0777\"|{\"v\":777}",
            "v: !!int -0777|{\"v\":-777}",
            "v: !!int 0o17|{\"v\":15}",
            "v: !!int 0x1F|{\"v\":31}",
            "v: !!float 1|{\"v\":1.0}",
            "v: !!float 010.5|{\"v\":10.5}",
            "v: !!bool True|{\"v\":true}",
            "v: !!null ''|{\"v\":null}",
            "v: &a 0777|{\"v\":777}",
            "v: &a '0777'|{\"v\":\"0777\"}",
    })
    void aScalarIsReadAsYaml12ReadsItsStyleAndTag(String yaml, String json) throws Exception {
        assertThat(LocatedYaml.parse(yaml, true).root().toString()).isEqualTo(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v: !!int 1_000", "v: !!int 0b101", "v: !!int 0X1F", "v: !!bool yes", "v: !!float .inf",
            "v: !!float 1e400", "v: !!null 0", "v: .inf", "v: -.Inf", "v: .nan"})
    void aFormYaml12HasNoReadingOfIsRefusedInGatewayYamlToo(String yaml) {
        assertThatThrownBy(() -> LocatedYaml.parse("a: 1\n" + yaml + "\n", false))
                .isInstanceOf(YamlSyntaxException.class)
                .hasMessageContaining(yaml.substring(3))
                .satisfies(e -> assertThat(((YamlSyntaxException) e).line()).isEqualTo(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a: 1\n---\nb: 2\n", "a: 1\n---\n", "a: 1\n...\n---\nb: 2\n", "--- {a: 1}\n--- {b: 2}\n"})
    void aSecondDocumentIsRefusedNamingItsLineGatewayYamlToo(String yaml) {
        int second = yaml.lastIndexOf("---");
        int line = (int) yaml.substring(0, second).chars().filter(c -> c == '\n').count() + 1;
        assertThatThrownBy(() -> LocatedYaml.parse(yaml, false))
                .isInstanceOf(YamlSyntaxException.class)
                .hasMessageContaining("second YAML document")
                .satisfies(e -> assertThat(((YamlSyntaxException) e).line()).isEqualTo(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"---\na: 1\n", "a: 1\n...\n", "# only\n---\na: 1\n...\n# after\n"})
    void oneDocumentWithMarkersIsRead(String yaml) throws Exception {
        assertThat(LocatedYaml.parse(yaml, true).root().toString()).isEqualTo("{\"a\":1}");
    }

    @Test
    void linesStillCountSnakeYamlsLineBreaks() throws Exception {
        LocatedYaml yaml = LocatedYaml.parse("# x\u0085# y\na: 1\nb: [0777]\n", true);
        assertThat(yaml.root().toString()).isEqualTo("{\"a\":1,\"b\":[777]}");
        assertThat(yaml.lineOf("/b/0")).isEqualTo(4);
    }
}
