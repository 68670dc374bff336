package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import org.junit.jupiter.api.Test;

/**
 * Review CD (AS, YAML 1.2), low: a scalar with an explicit tag is left as Jackson types it ("a tagged one is what it
 * says"), but Jackson says it in YAML 1.1: {@code !!int 0777} is octal 511, where YAML 1.2's core schema reads the
 * decimal 777, the reading policy/README promises for {@code 0777} and what a call's 777 or "0777" means. Reading it as
 * 777, or refusing a tagged number with a leading zero, would do.
 */
class Yaml12TaggedScalarReviewCDTest {

    @Test
    void anIntTaggedLeadingZeroIsDecimalOrRefused() throws Exception {
        try {
            assertThat(LocatedYaml.parse("in: [!!int 0777, 0777]\n", true).root().toString()).isEqualTo("{\"in\":[777,777]}");
        } catch (YamlSyntaxException refused) {
            assertThat(refused).hasMessageContaining("0777");
        }
    }
}
