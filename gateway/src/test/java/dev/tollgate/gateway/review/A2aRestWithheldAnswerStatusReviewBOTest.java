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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BO: an A2A HTTP+JSON answer that result rules withhold is answered HTTP 403 (as every denied HTTP+JSON call,
 * {@code A2aErrors.DENIED_STATUS}), but its google.rpc.Status body says {@code "code": 200, "status": "INTERNAL"}:
 * {@code A2aResponseFilter}'s {@code withheld} sets the status to 403 and then builds the
 * body with {@code A2aErrors.body}, which takes {@code RejectReason.RESULT_DENIED.httpStatus()} (200, its JSON-RPC
 * status). A policy denial before the call is 403 {@code PERMISSION_DENIED} in both places (A2aRejectsTest). A client
 * reading the body's {@code code} or {@code status} (Google's HTTP error format, which HTTP+JSON A2A uses) is told the
 * call succeeded, or failed inside the agent, instead of being refused by policy. Proved with the real
 * {@code @a2a-js/sdk} agent behind the gateway.
 */
class A2aRestWithheldAnswerStatusReviewBOTest {

    private static final String POLICY = """
            name: bo-rest
            defaults: {action: allow}
            rules:
              - name: no-leaked-secrets
                condition: {all: [{direction: result}, {check: {name: secrets}}]}
                action: deny
                message: secrets stay in
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("bo-rest.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: bo-rest}
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
    void aWithheldRestAnswerSaysInItsBodyWhatItsStatusSays() throws Exception {
        String body = "{\"message\":{\"messageId\":\"bo-rest\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":"
                + "\"AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}]}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/agents/echo/a2a/rest/message:send"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode error = JSON.readTree(response.body()).path("error");

        // The result was withheld (the rule held), answered 403 as a refusal...
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(error.path("details").get(0).path("reason").asText()).isEqualTo("RESULT_DENIED");
        // ...and the body must say the same: Google's error format repeats the HTTP status in code, its name in status.
        assertThat(error.path("code").asInt()).as(response.body()).isEqualTo(response.statusCode());
        assertThat(error.path("status").asText()).as(response.body()).isEqualTo("PERMISSION_DENIED");
    }
}
