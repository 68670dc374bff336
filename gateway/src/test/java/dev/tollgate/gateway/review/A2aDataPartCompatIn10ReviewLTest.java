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
 * Review L, finding: today's data_part_compat unwrap (A2aParts.compatUnwrapped) is applied to any part that declares a
 * {@code kind}, whatever the protocol version. Only the SDK's 0.3 layer (toCorePart) unwraps; a 1.0 call (SendMessage,
 * A2A-Version 1.0) reads parts with Part.fromJSON, which ignores {@code kind} and hands the executor {@code data} as
 * sent. So a 1.0 part {kind: data, data: {value: {...}, action: delete}, metadata: {data_part_compat: true}} is decided
 * on {@code {...}} while the agent acts on {@code {value: ..., action: delete}}: the deny rule on
 * /message/parts/0/data/action is bypassed (the change turned a correct reading into a wrong one).
 */
class A2aDataPartCompatIn10ReviewLTest {

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
    /** A 1.0 SendMessage whose data part (as the 1.0 SDK reads it, kind ignored) holds action: delete. */
    private static final String WRAPPED = """
            {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER",
             "parts":[{"kind":"data","data":{"value":{"note":"hi"},"action":"delete"},"metadata":{"data_part_compat":true}}]}}}""";
    /** The same part without the flag: the gateway's rule sees it. */
    private static final String PLAIN = """
            {"jsonrpc":"2.0","id":2,"method":"SendMessage","params":{"message":{"messageId":"m2","role":"ROLE_USER",
             "parts":[{"kind":"data","data":{"value":{"note":"hi"},"action":"delete"}}]}}}""";

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
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    @Test
    void theAgentItselfActsOnTheUnwrappedValue() throws Exception {
        JsonNode answer = post(agent.url("/a2a/jsonrpc"), WRAPPED);

        assertThat(answer.toString()).contains("echo: {\\\"value\\\":{\\\"note\\\":\\\"hi\\\"},\\\"action\\\":\\\"delete\\\"}");
    }

    @Test
    void thePlainFormIsDeniedThroughTheGateway() throws Exception {
        JsonNode answer = post(gateway.url("/agents/echo/a2a/jsonrpc"), PLAIN);

        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void theWrappedFormMustBeDeniedToo() throws Exception {
        JsonNode answer = post(gateway.url("/agents/echo/a2a/jsonrpc"), WRAPPED);

        // Fails today: the gateway unwraps a 1.0 part as 0.3 would, decides on {note: hi}, and the agent echoes action: delete.
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }
}
