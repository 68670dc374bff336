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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review BW: a tool typing a flag as {@code z.coerce.boolean()} (the real TypeScript SDK server, review-bw-server.mjs)
 * runs JavaScript's {@code Boolean(x)}: {@code 1}, {@code "false"}, {@code "no"} and {@code []} are all true. A rule
 * denying {@code force: true} is decided on the value as sent, which is not the boolean true, so the call is relayed and
 * the server runs a forced wipe.
 */
class CoercedBooleanArgumentReviewBWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: bw-no-force
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition:
                  all:
                    - tool: wipe
                    - arg: {path: /force, eq: true}
                action: deny
                message: No forced wipes.
            """;

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("review-bw-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aFlagTheToolCoercesToTrueIsDeniedAsTrue() throws Exception {
        // Control: the boolean true is denied and never runs.
        assertThat(forcedWipes("true")).as("force: true").isEmpty();
        List<String> ran = new ArrayList<>();
        for (String force : List.of("1", "\"false\"", "\"no\"", "[]")) {
            ran.addAll(forcedWipes(force));
        }
        assertThat(ran).as("forced wipes the upstream ran through the gateway").isEmpty();
    }

    /** Sends wipe {force: <force>} through the gateway; the forced wipes the upstream ran for it. */
    private static List<String> forcedWipes(String force) throws Exception {
        int mark = server.output().length();
        HttpResponse<String> reply = send(gateway.url("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"disk\":\"sda\",\"force\":"
                        + force + "}}}");
        List<String> ran = new ArrayList<>();
        for (JsonNode call : executedSince(mark)) {
            if (call.path("tool").asText().equals("wipe") && call.path("args").path("force").asBoolean(false)) {
                ran.add("force " + force + " -> gateway answered " + reply.statusCode() + " " + reply.body() + "; upstream ran " + call);
            }
        }
        return ran;
    }

    static HttpResponse<String> send(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json, text/event-stream").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the server ran since the mark, bounded by a marker call sent straight to it. */
    static List<JsonNode> executedSince(int mark) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        assertThat(send(server.url("/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + marker + "\"}}}").statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.output().substring(mark).contains(marker)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the upstream never printed the marker call");
            }
            Thread.sleep(5);
        }
        List<JsonNode> executed = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.contains(marker)) {
                break;
            }
            if (line.startsWith("EXECUTED ")) {
                executed.add(JSON.readTree(line.substring("EXECUTED ".length())));
            }
        }
        return executed;
    }
}
