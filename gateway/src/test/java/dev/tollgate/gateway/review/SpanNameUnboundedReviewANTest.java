package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.telemetry.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AN (c): the gateway cuts span attribute values at 8,192 characters (review AG: spans queued for a slow collector
 * must not hold megabytes each), but the SERVER span's NAME is built from caller-chosen text, {@code tools/call <tool>},
 * {@code resources/read <uri>}, {@code <method>}, and the SDK never cuts names. A caller (any caller that reaches the
 * policy stage; the call may be denied) names a tool of up to the body limit (4 MiB by default): each such span holds
 * that much in the 32,768-span queue and is exported whole. Control: the same tool name as gen_ai.tool.name (an attribute)
 * is cut to 8,192.
 */
class SpanNameUnboundedReviewANTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-shell\n    condition: {tool: \"shell_*\"}\n    action: deny\n    message: no shells\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private HttpServer receiver;
    private final List<byte[]> exports = new CopyOnWriteArrayList<>();
    private Telemetry telemetry;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
            if (r.path().equals("/v1/traces")) {
                exports.add(b.getBytes());
            }
            r.response().putHeader("Content-Type", "application/x-protobuf").end();
        }));
        int port = receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + port);
        System.setProperty("otel.exporter.otlp.protocol", "http/protobuf");
        System.setProperty("otel.bsp.schedule.delay", "100");
        // The shipped defaults: no OTEL_TRACES_SAMPLER, so the SDK's own default sampler.
        telemetry = Telemetry.create(new TelemetryConfig("tollgate-review-an", "otlp", false, List.of()));
        Files.writeString(dir.resolve("p.yaml"), POLICY);
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", null),
                new GatewayServices(new GatewayMetrics(), telemetry, null));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty("otel.exporter.otlp.endpoint");
        System.clearProperty("otel.exporter.otlp.protocol");
        System.clearProperty("otel.bsp.schedule.delay");
        http.close();
        gateway.close();
        upstream.close();
        telemetry.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Every run of {@code c} in every export, by length. */
    private java.util.Set<Integer> runs(char c) {
        java.util.Set<Integer> runs = new java.util.TreeSet<>();
        for (byte[] b : exports) {
            int run = 0;
            for (byte x : b) {
                if (x == (byte) c) {
                    run++;
                } else {
                    if (run > 0) {
                        runs.add(run);
                    }
                    run = 0;
                }
            }
            if (run > 0) {
                runs.add(run);
            }
        }
        return runs;
    }

    @Test
    void aCallersToolNameIsCutOnTheSpanAsAttributesAre() throws Exception {
        String tool = "shell_" + "A".repeat(1024 * 1024);
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}"));
        assertThat(reply.reason()).isEqualTo("policy_denied");
        await().atMost(Duration.ofSeconds(10)).until(() -> !runs('A').isEmpty());

        // Control: gen_ai.tool.name, an attribute, is cut at the gateway's limit ("shell_" + 8,186 A's).
        assertThat(runs('A')).as("runs of the caller's A's in the export").contains(8192 - "shell_".length());
        assertThat(java.util.Collections.max(runs('A')))
                .as("the longest caller-chosen run the exported span holds (its name): at most the 8,192 attributes are cut to")
                .isLessThanOrEqualTo(8192);
    }
}
