package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance} 0.1.16, server scenarios)
 * against the SDK fixture server, once direct and once through the gateway. Everything that passes direct
 * must pass through the gateway, and DNS-rebinding protection, which the fixture leaves to the gateway,
 * must pass through it too.
 */
class McpConformanceTest {

    private static final long SUITE_TIMEOUT_SECONDS = 300;
    private static final String CONFORMANCE = "node_modules/@modelcontextprotocol/conformance/dist/index.js";

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;

    @TempDir
    static Path results;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void everyScenarioPassingDirectPassesThroughTheGatewayAndDnsRebindingIsBlocked() throws Exception {
        Map<String, Boolean> direct = runSuite("http://localhost:" + fixture.port() + "/mcp", results.resolve("direct"));
        Map<String, Boolean> viaGateway = runSuite("http://localhost:" + gateway.port() + "/mcp", results.resolve("gateway"));

        System.out.printf("CONFORMANCE direct=%d/%d gateway=%d/%d%n", passed(direct), direct.size(), passed(viaGateway), viaGateway.size());
        direct.forEach((scenario, ok) -> System.out.printf("CONFORMANCE %-32s direct=%s gateway=%s%n", scenario, ok ? "pass" : "FAIL",
                Boolean.TRUE.equals(viaGateway.get(scenario)) ? "pass" : "FAIL"));
        assertThat(direct).as("the suite ran").hasSizeGreaterThanOrEqualTo(30);
        assertThat(viaGateway.keySet()).isEqualTo(direct.keySet());
        direct.forEach((scenario, ok) -> {
            if (ok) {
                assertThat(viaGateway.get(scenario)).as("%s passes direct, so it must pass through the gateway", scenario).isTrue();
            }
        });
        assertThat(viaGateway.get("dns-rebinding-protection")).as("dns-rebinding-protection through the gateway").isTrue();
        assertThat(direct.get("tools-call-sampling")).as("fixture sanity: sampling works direct").isTrue();
    }

    private static Map<String, Boolean> runSuite(String url, Path outputDir) throws Exception {
        NodePeers.Result result = NodePeers.run(SUITE_TIMEOUT_SECONDS, CONFORMANCE, "server", "--suite", "all", "--url", url, "-o", outputDir.toString());
        System.out.println(result.output());
        return scenarioResults(outputDir);
    }

    /** One entry per scenario directory: passed when none of its checks has status FAILURE. */
    private static Map<String, Boolean> scenarioResults(Path outputDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Boolean> scenarios = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(outputDir)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString().replaceFirst("^server-", "").replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
                JsonNode checks = json.readTree(dir.resolve("checks.json").toFile());
                boolean ok = checks.isArray() && !checks.isEmpty();
                for (JsonNode check : checks) {
                    ok &= !"FAILURE".equals(check.path("status").asText());
                }
                scenarios.put(name, ok);
            }
        }
        return scenarios;
    }

    private static long passed(Map<String, Boolean> scenarios) {
        return scenarios.values().stream().filter(Boolean::booleanValue).count();
    }
}
