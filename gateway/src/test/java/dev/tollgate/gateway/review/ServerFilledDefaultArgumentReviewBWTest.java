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
 * Review BW: a tool whose argument has a default (zod {@code z.string().default("/etc/passwd")} on the real TypeScript
 * SDK server, review-bw-server.mjs; the tool advertises it as {@code "default"} in its inputSchema) runs on that value
 * when the call leaves the argument out. The gateway decides on the call as sent: the argument is absent, so a rule
 * denying {@code path} under /etc/ does not match, and the server reads /etc/passwd.
 */
class ServerFilledDefaultArgumentReviewBWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: bw-system-files
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition:
                  all:
                    - tool: read-file
                    - arg: {path: /path, matches: "^/etc/"}
                action: deny
                message: System files are off limits.
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
    void aCallLeavingOutAnArgumentTheServerDefaultsToADeniedValueIsDenied() throws Exception {
        // Control: the path written out is denied and never runs.
        assertThat(readsUnderEtc("{\"path\":\"/etc/passwd\"}")).as("the path written out").isEmpty();
        List<String> ran = new ArrayList<>(readsUnderEtc("{}"));
        assertThat(ran).as("files under /etc/ the upstream read through the gateway").isEmpty();
    }

    /** Sends read-file with the given arguments through the gateway; what the upstream read under /etc/ for it. */
    private static List<String> readsUnderEtc(String arguments) throws Exception {
        int mark = server.output().length();
        HttpResponse<String> reply = send(gateway.url("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read-file\",\"arguments\":" + arguments + "}}");
        List<String> ran = new ArrayList<>();
        for (JsonNode call : executedSince(mark)) {
            if (call.path("tool").asText().equals("read-file") && call.path("args").path("path").asText().startsWith("/etc/")) {
                ran.add("arguments " + arguments + " -> gateway answered " + reply.statusCode() + " " + reply.body() + "; upstream ran " + call);
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
