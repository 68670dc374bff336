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
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review DC: a 1.0 part's {@code mediaType} is read by the real @a2a-js/sdk 1.3.0 agent (ts-proto {@code Part.fromJSON})
 * whenever it is not null, an empty string included; only a null or absent {@code mediaType} lets it read
 * {@code media_type}. The gateway took an empty {@code mediaType} as absent and read {@code media_type}: with
 * {@code {"mediaType":"","media_type":"text/plain"}} a rule admitting only text/plain files decided on text/plain while
 * the agent was handed a file of no media type. The two spellings must name one value, or the part is refused.
 */
class A2aEmptyMediaTypeSpellingReviewDCTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: plain-text-files-only
                condition: {all: [{protocol: a2a}, {not: {arg: {path: /message/parts/0/mediaType, eq: text/plain}}}]}
                action: deny
                message: Only plain text files.
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "1", "ECHO_MEDIA_TYPES", "1"));
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
    void aPlainTextFileIsLetThroughAndTheAgentReadsItsMediaType() throws Exception {
        JsonNode answer = send("{\"raw\":\"" + b64("#!/bin/sh") + "\",\"mediaType\":\"text/plain\"}");

        assertThat(echoed(answer)).as("answer %s", answer).isEqualTo("echo: [media text/plain] ");
    }

    @Test
    void anEmptyMediaTypeBesideTheSnakeCaseSpellingIsRefusedNotReadAsTheOther() throws Exception {
        JsonNode answer = send("{\"raw\":\"" + b64("#!/bin/sh") + "\",\"mediaType\":\"\",\"media_type\":\"text/plain\"}");

        // Before the fix: allowed as text/plain, and the agent echoed "[media ] " (it read the empty mediaType).
        assertThat(echoed(answer)).as("what the agent read, answer %s", answer).isNull();
        assertThat(answer.path("error").path("code").asInt()).as("answer %s", answer).isEqualTo(-32602);
        assertThat(answer.path("error").path("data").path("reason").asText()).isEqualTo("invalid_params");
    }

    private static JsonNode send(String part) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[" + part + "]}}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc")))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The text of the agent's final status message, or null when no task answered. */
    private static String echoed(JsonNode answer) {
        JsonNode result = answer.path("result");
        JsonNode task = result.has("task") ? result.get("task") : result;
        JsonNode parts = task.path("status").path("message").path("parts");
        StringBuilder out = new StringBuilder();
        for (JsonNode p : parts) {
            out.append(p.path("text").asText(""));
        }
        return out.length() == 0 ? null : out.toString();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
