package dev.tollgate.gateway.review;

import dev.tollgate.gateway.telemetry.Telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CL (fix AX): {@code RecordedNames.of} returns any name that starts with {@code [REDACTED} unread, as if it were
 * already a marker, so a tool named {@code [REDACTED]AKIAIOSFODNN7EXAMPLE} is written with the AWS key in clear in the
 * span name, {@code gen_ai.tool.name}, the audit record's {@code tool} and the pinning denial's reason.
 */
class NameMarkerPrefixReviewCLTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n  - name: no-emails\n"
            + "    condition: {all: [{direction: result}, {check: {name: pii, args: {kinds: [email]}}}]}\n    action: redact\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter spans;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            try {
                JsonNode body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().toString());
                if (!body.has("id")) {
                    r.response().setStatusCode(202).end();
                    return;
                }
                String result = switch (body.path("method").asText()) {
                    case "initialize" -> "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}";
                    case "tools/list" -> "{\"tools\":[{\"name\":\"clock\",\"description\":\"Tells the time\",\"inputSchema\":{\"type\":\"object\"}}]}";
                    default -> "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
                };
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.path("id") + ",\"result\":" + result + "}");
            } catch (Exception e) {
                r.response().setStatusCode(500).end();
            }
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    upstream: "%s"
                    policy: p
                    pinning: {manifest: %s, on-change: hide}
                """.formatted(dir.resolve("policies"), dir.resolve("audit"), upstream.url("/mcp"), dir.resolve("pins/tools.yaml")));
        Cli.Result pinned = Cli.run("pin", "--config", config.toString(), "--route", "tools");
        assertThat(pinned.exit()).as(pinned.err()).isZero();
        spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        String yaml = Files.readString(config);
        AuditLog audit = AuditLog.open(ConfigLoader.parse(yaml, "test.yaml", java.util.Map.of()).audit());
        gateway = RunningGateway.start(vertx, yaml, new GatewayServices(new GatewayMetrics(), Telemetry.of(sdk, TelemetryConfig.DEFAULT), audit));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aToolNameStartingWithTheMarkersPrefixIsStillReadForCredentials() throws Exception {
        String tool = "[REDACTED]" + AWS_KEY;
        TestHttp.Reply denied = call(1, tool);
        assertThat(denied.reason()).as("control: the pinning stage denies the unpinned tool " + denied.body()).isEqualTo("tool_not_pinned");

        SpanData server = awaitServerSpan();
        assertThat(server.getName()).as("span name").doesNotContain(AWS_KEY);
        assertThat(server.getAttributes().toString()).as("span attributes").doesNotContain(AWS_KEY);

        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> "tools/call".equals(r.path("method").asText()));
        assertThat(record.toString()).as("audit record").doesNotContain(AWS_KEY);
    }

    private TestHttp.Reply call(int id, String tool) throws Exception {
        return http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}");
    }

    private SpanData awaitServerSpan() {
        await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getKind() == SpanKind.SERVER));
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    }
}
