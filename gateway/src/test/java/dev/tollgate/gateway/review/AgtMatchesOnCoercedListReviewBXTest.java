package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review BX, finding 5: an AGT {@code matches} is decided on Python's {@code str()} of a list only
 * ({@code "['/etc/shadow']"}), while AGT's {@code eq}, {@code in} and {@code contains} are decided on JavaScript's join
 * too. A tool typing its path {@code z.coerce.string()} (the real TypeScript SDK server, ts-coerce-server.mjs) reads
 * {@code ["/etc/shadow"]} as "/etc/shadow", so an anchored AGT deny ({@code ^/etc/}) is bypassed by wrapping the path in
 * a list. Reproducer: fails on the current code.
 */
class AgtMatchesOnCoercedListReviewBXTest {

    private static final String POLICY = """
            version: "1.0"
            name: bx-agt-matches
            defaults: {action: allow}
            rules:
              - name: no-etc
                condition: {field: path, operator: matches, value: "^/etc/"}
                action: deny
                message: Nothing under /etc.
            """;
    private static final AtomicInteger MARKS = new AtomicInteger();

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("ts-coerce-server.mjs", Map.of());
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
    void aPathWrappedInAListIsDeniedAsThePath() throws Exception {
        StringBuilder answer = new StringBuilder();
        assertThat(readsFor("\"/etc/shadow\"", answer)).as("control: the string").isEmpty();
        assertThat(answer.toString()).contains("-32010");
        answer.setLength(0);
        assertThat(readsFor("[\"/etc/shadow\"]", answer)).as("reads of the list, answered " + answer).isEmpty();
    }

    private static HttpResponse<String> readFile(String pathJson) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read-file\",\"arguments\":{\"path\":"
                + pathJson + "}}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The paths the upstream read for {@code pathJson}, bounded by a harmless marker call (as review BM's test). */
    private static List<String> readsFor(String pathJson, StringBuilder answer) throws Exception {
        int mark = server.output().length();
        answer.append(readFile(pathJson).body());
        String marker = "/tmp/bx-marker-" + MARKS.incrementAndGet();
        assertThat(readFile("\"" + marker + "\"").body()).contains("read " + marker);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!server.output().substring(mark).contains(marker) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        List<String> reads = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.startsWith("EXECUTED ") && !line.contains(marker)) {
                reads.add(line);
            }
        }
        return reads;
    }
}
