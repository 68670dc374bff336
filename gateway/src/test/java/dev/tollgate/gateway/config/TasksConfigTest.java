package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tasks.max-bindings-per-tenant}: defaulted, read, and refused below 1 with its field. */
class TasksConfigTest {

    private static final String BASE = """
            listeners: [{name: public, host: 127.0.0.1, port: 0}]
            routes: [{name: tools, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp"}]
            """;

    @TempDir
    Path dir;

    @Test
    void eachTenantHoldsTwentyThousandBindingsUnlessConfigured() throws Exception {
        assertThat(ConfigLoader.parse(BASE, "g.yaml", Map.of(), dir).tasks().maxBindingsPerTenant()).isEqualTo(20_000);
        assertThat(ConfigLoader.parse(BASE + "tasks: {max-bindings-per-tenant: 500}\n", "g.yaml", Map.of(), dir).tasks().maxBindingsPerTenant())
                .isEqualTo(500);
    }

    @Test
    void aShareBelowOneIsRefusedWithItsField() {
        assertThatThrownBy(() -> ConfigLoader.parse(BASE + "tasks: {max-bindings-per-tenant: 0}\n", "g.yaml", Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p ->
                        assertThat(p.field()).isEqualTo("tasks.max-bindings-per-tenant")));
    }
}
