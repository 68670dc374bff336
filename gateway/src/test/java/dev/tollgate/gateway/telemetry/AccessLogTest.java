package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The access log: one line per call with what an operator greps for, on by default, off by configuration. */
class AccessLogTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private ListAppender<ILoggingEvent> lines;

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
        lines = new ListAppender<>();
        lines.start();
        Logger access = (Logger) LoggerFactory.getLogger("tollgate.access");
        access.addAppender(lines);
        access.setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("tollgate.access");
        access.detachAppender(lines);
        access.setLevel(ch.qos.logback.classic.Level.WARN);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void everyCallGetsOneLineWithRouteToolCallerDecisionStatusAndTimes() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", ""));
             TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", call("echo"));
            http.postMcp(gateway.port(), "/mcp", call("rm"));
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.list.size() == 2);
        }
        String allowed = lines.list.get(0).getFormattedMessage();
        assertThat(allowed).contains("route=upstream", "method=tools/call", "tool=echo", "caller=-", "decision=allowed", "status=200",
                "upstream_ms=", "total_ms=", "trace_id=", "error=-");
        assertThat(lines.list.get(1).getFormattedMessage()).contains("tool=rm", "decision=denied", "error=policy_denied");
        // Structured: each field is an argument of its own, which the JSON encoder writes as a field.
        assertThat(Arrays.stream(lines.list.get(0).getArgumentArray()).map(String::valueOf).toList())
                .contains("route=upstream", "tool=echo", "status=200");
    }

    @Test
    void turnedOffItWritesNothing() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p",
                "telemetry: {access-log: false}"));
             TestHttp http = new TestHttp(vertx)) {
            assertThat(http.postMcp(gateway.port(), "/mcp", call("echo")).status()).isEqualTo(200);
        }
        assertThat(lines.list).isEmpty();
        assertThat(List.of(upstream.received().size())).containsExactly(1);
    }

    private static String call(String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }
}
