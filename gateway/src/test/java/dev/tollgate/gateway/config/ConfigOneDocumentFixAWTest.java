package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * fixAW (review CD, finding 3): gateway.yaml is read by the same YAML reader as policies, so a second document in it
 * (a route added after {@code ---}, Kubernetes style) is refused naming its line rather than silently not existing.
 */
class ConfigOneDocumentFixAWTest {

    private static final String VALID = """
            listeners:
              - name: public
                host: 127.0.0.1
                port: 8080
            admin:
              host: 127.0.0.1
              port: 9090
            routes:
              - name: tools
                path: /mcp/
                protocol: mcp
                upstream: http://127.0.0.1:3001/mcp
            """;

    @Test
    void aSecondDocumentIsRefusedNamingItsLine() throws Exception {
        assertThat(ConfigLoader.parse(VALID, "g.yaml", Map.of()).routes()).hasSize(1);
        assertThatThrownBy(() -> ConfigLoader.parse(VALID + "---\nroutes: []\n", "g.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:13")
                .hasMessageContaining("second YAML document");
    }

    @Test
    void aTaggedFormYaml12HasNoReadingOfIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse(VALID + "limits: {max-body-bytes: !!int 1_000}\n", "g.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("g.yaml:13")
                .hasMessageContaining("!!int 1_000");
    }
}
