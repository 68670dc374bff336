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
 * Review BW: a tool typing a number as {@code z.coerce.number()} (the real TypeScript SDK server, review-bw-server.mjs)
 * runs JavaScript's {@code Number(x)}: {@code Number([42])}, {@code Number(["42"])} and {@code Number([[42]])} are all
 * 42, and {@code Number([])} and {@code Number(null)} are 0. The gateway reads such a value as it is, so
 * {@code in: [0, 42]} does not match it and the call to a frozen account is relayed; the server then moves money to
 * account 42 (or 0). Strings, hex, exponents, booleans and whitespace around 42 are already caught by the number
 * readings; lists and null are not.
 */
class CoercedListNumberArgumentReviewBWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: bw-frozen
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition:
                  all:
                    - tool: transfer
                    - arg: {path: /to, in: [0, 42]}
                action: deny
                message: Accounts 0 and 42 are frozen.
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
    void aListOrNullThatTheToolCoercesToAFrozenAccountIsDenied() throws Exception {
        // Control: the plain number is denied and never runs.
        assertThat(runsOnFrozenAccount("42")).as("the plain number 42").isEmpty();
        assertThat(runsOnFrozenAccount("0")).as("the plain number 0").isEmpty();
        List<String> ran = new ArrayList<>();
        for (String to : List.of("[42]", "[\"42\"]", "[[42]]", "[]", "null")) {
            ran.addAll(runsOnFrozenAccount(to));
        }
        assertThat(ran).as("calls the upstream ran on frozen accounts 0 and 42 through the gateway").isEmpty();
    }

    /** Sends transfer {to: <to>} through the gateway; what the upstream ran on account 42 for it. */
    private static List<String> runsOnFrozenAccount(String to) throws Exception {
        int mark = server.output().length();
        HttpResponse<String> reply = send(gateway.url("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\",\"arguments\":{\"to\":" + to
                        + ",\"amount\":1}}}");
        List<String> ran = new ArrayList<>();
        for (JsonNode call : executedSince(mark)) {
            if (call.path("tool").asText().equals("transfer") && (call.path("args").path("to").asDouble() == 42d || call.path("args").path("to").asDouble() == 0d)) {
                ran.add("to " + to + " -> gateway answered " + reply.statusCode() + " " + reply.body() + "; upstream ran " + call);
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
