package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real export path: the SDK built by autoconfigure from OTEL_* settings (here as system properties,
 * which autoconfigure reads like the environment) sends spans over OTLP/HTTP to a receiver on loopback.
 */
class OtlpExportTest {

    @TempDir
    Path dir;

    @Test
    void spansWithTheDecisionReachAnOtlpReceiver() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Buffer> exports = new CopyOnWriteArrayList<>();
        HttpServer receiver = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
            if (r.path().equals("/v1/traces")) {
                exports.add(b);
            }
            r.response().putHeader("Content-Type", "application/x-protobuf").end();
        }));
        int port = receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + port);
        System.setProperty("otel.exporter.otlp.protocol", "http/protobuf");
        System.setProperty("otel.bsp.schedule.delay", "100");
        Telemetry telemetry = Telemetry.create(new TelemetryConfig("tollgate-test", "otlp", false, List.of()));
        Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules:\n"
                + "  - name: no-shell\n    condition: {tool: \"shell_*\"}\n    action: deny\n");
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", null),
                     new GatewayServices(new GatewayMetrics(), telemetry, null));
             TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"allowed_tool\"}}");
            http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\"}}");

            await().atMost(Duration.ofSeconds(10)).until(() -> span(exports, "tools/call shell_exec").isPresent()
                    && span(exports, "tools/call allowed_tool").isPresent());
            OtlpTraceRequest.Span denied = span(exports, "tools/call shell_exec").orElseThrow();
            OtlpTraceRequest.Span allowed = span(exports, "tools/call allowed_tool").orElseThrow();

            assertThat(denied.kind()).as("SPAN_KIND_SERVER").isEqualTo(2);
            assertThat(denied.attributes())
                    .containsEntry("waxell.policy.agt.allowed", false)
                    .containsEntry("waxell.policy.action", "deny")
                    .containsEntry("waxell.policy.rule", "no-shell")
                    .containsEntry("waxell.policy.name", "p")
                    .containsEntry("gen_ai.tool.name", "shell_exec")
                    .containsEntry("mcp.method.name", "tools/call")
                    .containsEntry("jsonrpc.request.id", "2");
            assertThat(allowed.attributes())
                    .containsEntry("waxell.policy.agt.allowed", true)
                    .containsEntry("waxell.policy.action", "allow")
                    .containsEntry("waxell.policy.rule", "default")
                    .containsEntry("gen_ai.tool.name", "allowed_tool");
            assertThat(allowed.attributes().get("http.response.status_code")).as("an int64, not a string").isEqualTo(200L);
            assertThat(denied.resource()).containsEntry("service.name", "tollgate-test");
        } finally {
            System.clearProperty("otel.exporter.otlp.endpoint");
            System.clearProperty("otel.exporter.otlp.protocol");
            System.clearProperty("otel.bsp.schedule.delay");
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static java.util.Optional<OtlpTraceRequest.Span> span(List<Buffer> exports, String name) {
        return exports.stream().flatMap(b -> OtlpTraceRequest.spans(b.getBytes()).stream())
                .filter(s -> name.equals(s.name()) && s.kind() == 2).findFirst();
    }
}
