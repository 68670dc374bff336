package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AV on A2A routes, against a real A2A JS SDK agent (a2a/echo-agent.mjs): a message send is AGT's
 * {@code invoke_agent} (the kind AGT's Bedrock host gives the invocation of an agent), not a {@code tool_call}; and it is
 * one of the run's tool calls that {@code tool_call_count} counts, as {@code defaults.max_tool_calls} counts it.
 */
class AgtA2aContextFixAVTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String NO_DELEGATION = """
            version: "1.0"
            name: no-delegation
            defaults: {action: allow}
            rules:
              - name: no-agent-invocations
                condition: {field: action_type, operator: eq, value: invoke_agent}
                action: deny
            """;

    /** A cap of two sends per run, and a deny on MCP tool calls that an A2A send must not meet. */
    private static final String CAPPED = """
            version: "1.0"
            name: capped
            defaults: {action: allow}
            rules:
              - name: session-cap
                condition: {field: tool_call_count, operator: gt, value: 1}
                action: deny
              - name: no-mcp-tools
                condition: {field: action_type, operator: eq, value: tool_call}
                action: deny
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer agent;
    private TenantTokens tokens;
    private Gateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("no-delegation.yaml"), NO_DELEGATION);
        Files.writeString(policies.resolve("capped.yaml"), CAPPED);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: closed, path: /agents/closed, protocol: a2a, policy: no-delegation, upstream: "%s"}
                  - {name: capped, path: /agents/capped, protocol: a2a, policy: capped, upstream: "%s"}
                """.formatted(policies, tokens.identityYaml().strip(), agent.url(""), agent.url("")));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(config), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private JsonNode send(String path, String run, int n) throws Exception {
        String axid = tokens.token(Map.of("tenant", "acme", "agent", "planner", "run", run));
        String params = "{\"message\":{\"messageId\":\"m-" + run + "-" + n + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hello " + n + "\"}]}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path + "/a2a/jsonrpc"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .header("Accept", "application/json").header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":" + params + "}"))
                .build();
        return JSON.readTree(client.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aSendIsAnAgentInvocation() throws Exception {
        JsonNode denied = send("/agents/closed", "run-1", 1);
        assertThat(denied.has("error")).as(denied.toString()).isTrue();
        assertThat(denied.toString()).contains("no-agent-invocations");
    }

    /** Sends 1 and 2 see counts 0 and 1 and reach the agent (no tool_call rule meets them); send 3 sees 2 > 1. */
    @Test
    void sendsCountAsTheRunsToolCalls() throws Exception {
        for (int n = 1; n <= 2; n++) {
            JsonNode sent = send("/agents/capped", "run-2", n);
            assertThat(sent.at("/result/task/id").asText()).as("send %d reached the agent: %s", n, sent).isNotEmpty();
        }
        JsonNode third = send("/agents/capped", "run-2", 3);
        assertThat(third.has("error")).as(third.toString()).isTrue();
        assertThat(third.toString()).contains("session-cap");
        assertThat(send("/agents/capped", "run-3", 1).at("/result/task/id").asText()).as("another run starts at 0").isNotEmpty();
    }
}
