package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mode: shadow}: a rule that would deny does not block, but the deny it did not enforce is recorded
 * where an operator looks for it: in the audit record and on the call's span.
 */
class ShadowModeThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHADOW = "name: p\nmode: shadow\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-shell\n    condition: {tool: \"shell_*\"}\n    action: deny\n    message: no shells\n";

    @TempDir
    Path dir;

    @Test
    void shadowDenyReachesTheUpstreamAndIsRecordedInTheAuditAndTheSpan() throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), SHADOW);
        Path auditDir = dir.resolve("audit");
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            String yaml = RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "p", "audit: {directory: " + auditDir + "}");
            AuditLog audit = AuditLog.open(ConfigLoader.parse(yaml, "test.yaml", Map.of()).audit());
            RunningGateway gateway = RunningGateway.start(vertx, yaml, new GatewayServices(new GatewayMetrics(),
                    Telemetry.of(sdk, new TelemetryConfig("tollgate", "none", false, List.of())), audit));
            TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\",\"arguments\":{}}}");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().has("result")).as("not blocked: the upstream's answer").isTrue();
            assertThat(upstream.received()).hasSize(1);

            await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getKind() == SpanKind.SERVER));
            SpanData server = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
            assertThat(server.getAttributes().get(CallAttributes.POLICY_ACTION)).isEqualTo("deny");
            assertThat(server.getAttributes().get(CallAttributes.POLICY_MODE)).isEqualTo("shadow");
            assertThat(server.getAttributes().get(CallAttributes.POLICY_RULE)).isEqualTo("no-shell");
            assertThat(server.getAttributes().get(CallAttributes.POLICY_ALLOWED)).as("the deny was not enforced").isTrue();
            // The audit file is complete once the gateway has closed (it drains the log).
            gateway.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(AuditFiles.file(auditDir, 1))) {
            records.add(JSON.readTree(line));
        }
        assertThat(records).hasSize(1);
        JsonNode decision = records.get(0).path("decision");
        assertThat(decision.path("action").asText()).isEqualTo("deny");
        assertThat(decision.path("mode").asText()).isEqualTo("shadow");
        assertThat(decision.path("enforced").isBoolean()).isTrue();
        assertThat(decision.path("enforced").asBoolean()).isFalse();
        assertThat(decision.path("rule").asText()).isEqualTo("no-shell");
        assertThat(records.get(0).path("outcome").path("status").asInt()).as("the upstream answered").isEqualTo(200);
    }
}
