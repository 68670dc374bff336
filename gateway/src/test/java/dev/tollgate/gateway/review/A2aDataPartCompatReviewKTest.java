package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review K, finding: the @a2a-js/sdk 1.3.0 v0.3 compatibility layer (toCorePart) unwraps a 0.3 data part whose
 * metadata says {@code data_part_compat: true}: the executor is handed {@code data.value}, not {@code data}. The gateway
 * describes {@code /message/parts/N/data} as the wrapper ({@code {"value": {...}}}), so a rule on
 * {@code /message/parts/0/data/action} (documented as "a data part's value as the agent reads it") never matches what
 * the agent acts on. Proved first against the real agent directly, then through the gateway.
 */
class A2aDataPartCompatReviewKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-delete-actions
                condition: {all: [{protocol: a2a}, {arg: {path: /message/parts/0/data/action, eq: delete}}]}
                action: deny
                message: Deleting is for people.
            """;
    /** A 0.3 message/send whose one data part, unwrapped by the SDK, is {"action":"delete"}. */
    private static final String WRAPPED = """
            {"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","messageId":"m1","role":"user",
             "parts":[{"kind":"data","data":{"value":{"action":"delete"}},"metadata":{"data_part_compat":true}}]}}}""";
    /** The same part sent plainly: the gateway's rule sees it. */
    private static final String PLAIN = """
            {"jsonrpc":"2.0","id":2,"method":"message/send","params":{"message":{"kind":"message","messageId":"m2","role":"user",
             "parts":[{"kind":"data","data":{"action":"delete"}}]}}}""";

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5", "ECHO_DATA", "1"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("a2a.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(policies, agent.url("")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static JsonNode post(String url, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    @Test
    void theAgentItselfActsOnTheUnwrappedValue() throws Exception {
        JsonNode answer = post(agent.url("/a2a/jsonrpc"), WRAPPED);

        assertThat(answer.path("result").path("status").path("message").path("parts").get(0).path("text").asText())
                .isEqualTo("echo: {\"action\":\"delete\"}");
    }

    @Test
    void thePlainFormIsDeniedThroughTheGateway() throws Exception {
        JsonNode answer = post(gateway.url("/agents/echo/a2a/jsonrpc"), PLAIN);

        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void theWrappedFormMustBeDeniedToo() throws Exception {
        JsonNode answer = post(gateway.url("/agents/echo/a2a/jsonrpc"), WRAPPED);

        // Fails today: allowed, and the agent echoes the action the rule denies.
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }
}
