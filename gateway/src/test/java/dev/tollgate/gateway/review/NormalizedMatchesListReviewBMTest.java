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
 * Review BM (fix AE): with {@code normalize: path}, a native {@code matches} on a list was decided on texts joined from
 * the elements each normalized alone ({@link dev.tollgate.policy.condition.TextNormalization#apply}, which also left a
 * list within a list raw), while an upstream that reads the list as one text joins the raw value first and resolves
 * the joined path. Against the official TypeScript SDK (zod's {@code z.coerce.string()}):
 * <ul>
 *   <li>{@code ["/etc/", "/../shadow"]}: the gateway decided on "/etc,/shadow" (Java: "[/etc, /shadow]"), which
 *   {@code ^/etc/} does not match; the upstream reads "/etc/,/../shadow", which resolves to /etc/shadow;</li>
 *   <li>{@code [["/tmp/../etc/passwd"]]}: never normalized, so neither "/tmp/../etc/passwd" nor
 *   "[[/tmp/../etc/passwd]]" matched; the upstream reads /etc/passwd.</li>
 * </ul>
 * The string and a one-level list of one element were denied all along (the control).
 */
class NormalizedMatchesListReviewBMTest {

    private static final String POLICY = """
            name: bm-paths
            defaults: {action: allow}
            rules:
              - name: no-etc
                condition:
                  all:
                    - tool: read-file
                    - arg: {path: /path, matches: "^/etc/", normalize: path}
                action: deny
                message: nothing under /etc
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

    /**
     * The paths the upstream read for {@code pathJson}: the call, then a harmless marker call whose EXECUTED line is
     * awaited (bounded), so every line the first call printed has been read.
     */
    private static List<String> readsFor(String pathJson, StringBuilder answer) throws Exception {
        int mark = server.output().length();
        answer.append(readFile(pathJson).body());
        String marker = "/tmp/bm-marker-" + MARKS.incrementAndGet();
        assertThat(readFile("\"" + marker + "\"").body()).contains("read " + marker);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!server.output().substring(mark).contains(marker) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
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

    /** Control: the string and a one-level list are denied, nothing read. */
    @Test
    void controlStringAndFlatListAreDenied() throws Exception {
        StringBuilder answer = new StringBuilder();
        assertThat(readsFor("\"/tmp/../etc/passwd\"", answer)).isEmpty();
        assertThat(answer.toString()).contains("-32010");
        answer.setLength(0);
        assertThat(readsFor("[\"/tmp/../etc/passwd\"]", answer)).isEmpty();
        assertThat(answer.toString()).contains("-32010");
    }

    /** Elements that only under /etc once joined: must be denied; the upstream must not read /etc/shadow. */
    @Test
    void aListIsNormalizedAsTheTextItIsJoinedTo() throws Exception {
        StringBuilder answer = new StringBuilder();
        List<String> reads = readsFor("[\"/etc/\", \"/../shadow\"]", answer);

        assertThat(reads).as("what the upstream read (answer: %s)", answer).noneMatch(l -> l.contains("/etc/"));
        assertThat(answer.toString()).contains("-32010");
    }

    /** The nested list: must be denied too; the upstream must not read /etc/passwd. */
    @Test
    void aNestedListIsNormalizedBeforeMatches() throws Exception {
        StringBuilder answer = new StringBuilder();
        List<String> reads = readsFor("[[\"/tmp/../etc/passwd\"]]", answer);

        assertThat(reads).as("what the upstream read (answer: %s)", answer).noneMatch(l -> l.contains("/etc/passwd"));
        assertThat(answer.toString()).contains("-32010");
    }
}
