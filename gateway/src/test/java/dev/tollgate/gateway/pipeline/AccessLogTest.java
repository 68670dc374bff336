package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log: one line per call with what an operator greps for, on by default, off by configuration, never forged. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private AccessLog previous;
    private AccessLog log;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}"));
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-rm, condition: {tool: rm}, action: deny}
                """);
        log = new AccessLog(out, false);
        previous = AccessLog.swap(log);
    }

    @AfterEach
    void tearDown() throws Exception {
        AccessLog.swap(previous);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void everyCallGetsOneJsonLineWithRouteToolCallerDecisionStatusAndTimes() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", ""));
             TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", call("echo"));
            http.postMcp(gateway.port(), "/mcp", call("rm"));
            await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() == 2);
        }
        JsonNode allowed = JSON.readTree(lines().get(0));
        assertThat(allowed.path("logger").asText()).isEqualTo("tollgate.access");
        assertThat(allowed.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(allowed.path("route").asText()).isEqualTo("upstream");
        assertThat(allowed.path("method").asText()).isEqualTo("tools/call");
        assertThat(allowed.path("tool").asText()).isEqualTo("echo");
        assertThat(allowed.path("decision").asText()).isEqualTo("allowed");
        assertThat(allowed.path("status").asInt()).isEqualTo(200);
        assertThat(allowed.path("total_ms").isNumber()).isTrue();
        assertThat(allowed.has("error")).isFalse();
        JsonNode denied = JSON.readTree(lines().get(1));
        assertThat(denied.path("tool").asText()).isEqualTo("rm");
        assertThat(denied.path("decision").asText()).isEqualTo("denied");
        assertThat(denied.path("error").asText()).isEqualTo("policy_denied");
    }

    @Test
    void turnedOffItWritesNothing() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p",
                "telemetry: {access-log: false}"));
             TestHttp http = new TestHttp(vertx)) {
            assertThat(http.postMcp(gateway.port(), "/mcp", call("echo")).status()).isEqualTo(200);
        }
        log.drain(new StringBuilder());
        assertThat(out.size()).isZero();
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void whatAClientChoseCannotForgeFieldsOrLines() throws Exception {
        AccessLog.Line line = new AccessLog.Line(0, "r", "tools/call", "evil\" ,\"status\":500\n{\"x\":\"", "a b=c", "allowed", 200, 0, 0, null, null);
        StringBuilder json = new StringBuilder();
        log.format(line, json);
        assertThat(json.toString().lines()).hasSize(1);
        assertThat(JSON.readTree(json.toString()).path("status").asInt()).isEqualTo(200);
        assertThat(JSON.readTree(json.toString()).path("tool").asText()).startsWith("evil\" ,");
        StringBuilder text = new StringBuilder();
        new AccessLog(new ByteArrayOutputStream(), true).format(line, text);
        assertThat(text.toString().lines()).hasSize(1);
        assertThat(text.toString()).contains("tool=evil\"_,\"status\":500_{\"x\":\"").contains("caller=a_b_c").contains("status=200");
    }

    /** Review AN: Unicode line breaks and C1 controls, which shippers and terminals may read as a new line or a command. */
    @Test
    void unicodeLineBreaksAndC1ControlsCannotStartALineEither() throws Exception {
        String tool = "a\u0085status=500\u2028b\u2029c\u009b31md";
        AccessLog.Line line = new AccessLog.Line(0, "r", "tools/call", tool, null, "allowed", 200, 0, 0, null, null);
        StringBuilder text = new StringBuilder();
        new AccessLog(new ByteArrayOutputStream(), true).format(line, text);
        assertThat(text.toString()).contains(" tool=a_status_500_b_c_31md ").doesNotContain("\u0085", "\u2028", "\u2029", "\u009b");
        StringBuilder json = new StringBuilder();
        log.format(line, json);
        assertThat(json.toString()).contains("\\u0085", "\\u2028", "\\u2029", "\\u009b").doesNotContain("\u0085", "\u2028", "\u2029");
        assertThat(JSON.readTree(json.toString()).path("tool").asText()).isEqualTo(tool);
    }

    @Test
    void pastItsQueueItDropsAndCountsRatherThanWait() {
        AccessLog tiny = new AccessLog(new ByteArrayOutputStream(), false);
        AccessLog.Line line = new AccessLog.Line(0, "r", "m", null, null, "allowed", 200, 0, 0, null, null);
        int offered = AccessLog.MAX_QUEUED + 10;
        int accepted = 0;
        for (int i = 0; i < offered; i++) {
            // The writer drains concurrently; what it has not taken yet counts against the queue.
            accepted += tiny.offer(line) ? 1 : 0;
        }
        assertThat(accepted + tiny.dropped()).isEqualTo(offered);
    }

    @Test
    void linesItCouldNotWriteAreCountedInTheMetric() throws Exception {
        // stdout gone (a closed pipe): every line of a failed batch is counted, and the count is a metric, not a secret.
        AccessLog failing = new AccessLog(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        }, false);
        AccessLog.swap(failing);
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", ""));
             TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", call("echo"));
            http.postMcp(gateway.port(), "/mcp", call("rm"));
            await().atMost(Duration.ofSeconds(10)).until(() -> failing.dropped() == 2);
            String metrics = http.send(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.GET).setHost("127.0.0.1")
                    .setPort(gateway.gateway().adminPort()).setURI("/metrics"), null).body().toString();
            assertThat(metrics).contains("tollgate_access_log_dropped_total 2.0");
        }
    }

    private List<String> lines() {
        log.drain(new StringBuilder());
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static String call(String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }

    @Test
    void theTimeIsWrittenAsInstantWritesItWhateverItsMilliseconds() throws Exception {
        AccessLog formatter = new AccessLog(java.io.OutputStream.nullOutputStream(), false);
        long second = java.time.Instant.parse("2026-12-04T17:30:05Z").toEpochMilli();
        for (long at : new long[]{second, second + 5, second + 120, second + 999, second + 1000, second + 61_007, 0, -1}) {
            StringBuilder line = new StringBuilder();
            formatter.format(new AccessLog.Line(at, "r", "tools/call", "echo", null, "allow", 200, 0, 0, null, null), line);

            assertThat(JSON.readTree(line.toString()).path("time").asText()).as("%d", at)
                    .isEqualTo(java.time.Instant.ofEpochMilli(at).toString());
        }
    }
}
