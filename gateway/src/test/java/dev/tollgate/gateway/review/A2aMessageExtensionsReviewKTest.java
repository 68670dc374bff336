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
 * Review K, finding: {@code /extensions} merges the A2A-Extensions header and the message's {@code extensions}, but
 * A2aCalls.message() keeps only the elements that are JSON strings and silently skips the rest. @a2a-js/sdk 1.3.0 reads
 * 1.0 {@code Message.extensions} as {@code map(String)}: {@code [["urn:admin-mode"]]} is {@code ["urn:admin-mode"]} on the
 * message the executor is handed. (Its 0.3 layer spreads a string: {@code "urn:x"} is {@code ["u","r",...]}, harmless.)
 * The gateway refuses such non-string ids and push URLs elsewhere; here it lets them through unseen. Proved against the
 * real agent directly, then through the gateway.
 */
class A2aMessageExtensionsReviewKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-admin-mode-extension
                condition: {all: [{protocol: a2a}, {arg: {path: /extensions, contains: "urn:admin-mode"}}]}
                action: deny
                message: The admin-mode extension is for people.
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5", "ECHO_MESSAGE_EXTENSIONS", "1"));
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

    private static String send(String url, String extensions) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\","
                + "\"parts\":[{\"text\":\"hi\"}],\"extensions\":" + extensions + "}}}";
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .header("A2A-Version", "1.0").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theAgentItselfReadsANestedListAsTheExtension() throws Exception {
        assertThat(send(agent.url("/a2a/jsonrpc"), "[[\"urn:admin-mode\"]]")).contains("echo: [msgext urn:admin-mode] hi");
    }

    @Test
    void thePlainFormIsDeniedThroughTheGateway() throws Exception {
        JsonNode answer = JSON.readTree(send(gateway.url("/agents/echo/a2a/jsonrpc"), "[\"urn:admin-mode\"]"));

        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void theNestedFormMustBeDeniedOrRefusedToo() throws Exception {
        String answer = send(gateway.url("/agents/echo/a2a/jsonrpc"), "[[\"urn:admin-mode\"]]");

        // Fails today: allowed, and the executor is handed a message naming urn:admin-mode.
        assertThat(answer).doesNotContain("[msgext urn:admin-mode]").contains("\"error\"");
    }
}
