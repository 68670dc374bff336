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
 * Review DC: the real @a2a-js/sdk 1.3.0 agent's 0.3 JSON-RPC layer ({@code toCoreMessage}) reads a message's
 * {@code taskId}, {@code contextId} and {@code referenceTaskIds} under those names only; the gateway also read the proto's
 * snake_case names there, as it does for 1.0. A {@code message/send} naming {@code task_id} of the caller's own task was
 * decided as continuing that task (a rule admitting "deploy" only inside an existing task let it through, ownership and the
 * task-table share saw a continuation) while the agent started a new task with it. On 0.3 JSON-RPC the snake_case ids are
 * refused.
 */
class A2aLegacySnakeTaskIdReviewDCTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: deploy-only-in-a-running-task
                condition: {all: [{protocol: a2a}, {arg: {path: /message/text, matches: "(?i)deploy"}}, {arg: {path: /taskId, exists: false}}]}
                action: deny
                message: Deploy only inside an existing task.
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "1"));
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("a2a.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir.resolve("policies"), agent.url("")));
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

    @Test
    void aNewDeployIsDeniedAsDecided() throws Exception {
        JsonNode answer = send03("{\"kind\":\"message\",\"messageId\":\"m0\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"deploy\"}]}");

        assertThat(answer.path("error").path("message").asText()).as("answer %s", answer).contains("Deploy only inside an existing task.");
    }

    @Test
    void aSnakeCaseTaskIdIsNotDecidedAsAContinuationTheAgentNeverSees() throws Exception {
        JsonNode first = send03("{\"kind\":\"message\",\"messageId\":\"m1\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"hello\"}]}");
        String task = first.path("result").path("id").asText(null);
        assertThat(task).as("first answer %s", first).isNotNull();

        JsonNode second = send03("{\"kind\":\"message\",\"messageId\":\"m2\",\"role\":\"user\",\"task_id\":\"" + task
                + "\",\"parts\":[{\"kind\":\"text\",\"text\":\"deploy\"}]}");

        // Before the fix: let through as continuing the task, answered by a task the agent had just started for it.
        assertThat(second.has("result")).as("a deploy the agent ran outside the task: %s", second).isFalse();
        assertThat(second.path("error").path("code").asInt()).as("answer %s", second).isEqualTo(-32602);
        assertThat(second.path("error").path("data").path("reason").asText()).isEqualTo("invalid_params");
    }

    private static JsonNode send03(String message) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"configuration\":{\"blocking\":true},\"message\":"
                + message + "}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc")))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }
}
