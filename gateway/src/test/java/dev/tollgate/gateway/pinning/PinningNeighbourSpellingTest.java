package dev.tollgate.gateway.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BC's suspicion: a route to {@code /MCP/} and a pinning route to {@code /mcp} of one origin reach one server
 * when it is the TypeScript SDK's express app (express ignores a trailing slash and case by default), so a list through
 * the first is held against the second's manifest. Another path of the same origin stays another server.
 */
class PinningNeighbourSpellingTest {

    @TempDir
    Path dir;

    @Test
    void aRouteToTheSamePathSpelledWithATrailingSlashAndCapitalsIsAPinningNeighbour() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        PinManifest.record("tools", PinnedDefinitions.Kind.TOOLS,
                List.of(new ObjectMapper().readTree("{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}")), null, null)
                .write(dir.resolve("tools.yaml"));
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9/mcp", policy: p, pinning: {manifest: tools.yaml, on-change: hide}}
                  - {name: internal, path: /internal, protocol: mcp, upstream: "http://127.0.0.1:9/MCP/", policy: p}
                  - {name: other, path: /other, protocol: mcp, upstream: "http://127.0.0.1:9/other/mcp", policy: p}
                """);
        GatewaySnapshot snapshot = new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));

        assertThat(snapshot.pinningNeighbours("internal")).containsExactly("tools");
        assertThat(snapshot.pinningNeighbours("other")).isEmpty();
        assertThat(snapshot.pinningRoutesReaching(Set.of("http://127.0.0.1:9/mcp/"), dev.tollgate.gateway.config.Protocol.MCP, "internal"))
                .containsExactly("tools");
        // Whether a reload moved a route's upstream still compares the endpoints as spelled.
        assertThat(snapshot.endpoints("internal")).containsExactly("http://127.0.0.1:9/MCP/");
    }
}
