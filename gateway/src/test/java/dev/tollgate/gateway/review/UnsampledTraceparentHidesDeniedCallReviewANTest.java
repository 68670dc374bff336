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
import java.nio.charset.StandardCharsets;
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
 * Review AN: the production SDK (Telemetry.create, autoconfigured, OTLP to a loopback receiver) uses the SDK's
 * default sampler, parentbased_always_on. A caller that sends {@code traceparent: 00-<any id>-<any id>-00} (the
 * "not sampled" flag) gets a non-recording SERVER span: its call, a denied one included, is never exported, no
 * "policy decision" span either, and it is counted nowhere in tollgate_spans_{exported,sampled_out,dropped}, so
 * the span accounting no longer equals the calls. Control: the same denied call without a traceparent, and with
 * the sampled flag 01, are exported.
 */
class UnsampledTraceparentHidesDeniedCallReviewANTest {

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

    private TestHttp.Reply denied(String tool, String traceparent) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp");
        if (traceparent != null) {
            options.putHeader("traceparent", traceparent);
        }
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":{}}}"));
    }

    private boolean exported(String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        return exports.stream().anyMatch(b -> indexOf(b, needle) >= 0);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aDeniedCallWithAnUnsampledTraceparentIsStillExported() throws Exception {
        assertThat(denied("shell_hidden", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").reason()).isEqualTo("policy_denied");
        // Controls, sent after it: no traceparent, and the sampled flag.
        assertThat(denied("shell_plain", null).reason()).isEqualTo("policy_denied");
        assertThat(denied("shell_sampled", "00-5bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01").reason()).isEqualTo("policy_denied");

        await().atMost(Duration.ofSeconds(10)).until(() -> exported("tools/call shell_plain") && exported("tools/call shell_sampled"));
        // The first call's span was queued before the controls': a batch or two more (100 ms delay) at most, waited for
        // (bounded) rather than slept, since a loaded machine may take longer than 500 ms to deliver them.
        awaitQuietly(() -> exported("tools/call shell_hidden"));
        assertThat(exported("tools/call shell_hidden"))
                .as("a denied call whose caller sent traceparent flags 00 must still export its SERVER span (the decision)")
                .isTrue();
    }

    @Test
    void spanCountsAccountForEveryCallWhateverTheCallersTraceFlags() throws Exception {
        denied("shell_hidden", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
        denied("shell_plain", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> exported("tools/call shell_plain"));
        // Both spans accounted for (bounded wait, a loaded machine may be slow to count them), then 500 ms for any count
        // more than two to show.
        awaitQuietly(() -> {
            var counted = telemetry.counts();
            return counted.exported() + counted.sampledOut() + counted.dropped() + counted.exportFailed() >= 2;
        });
        Thread.sleep(500);
        var c = telemetry.counts();
        assertThat(c.exported() + c.sampledOut() + c.dropped() + c.exportFailed())
                .as("tollgate_spans_exported + sampled_out + dropped + export_failed for 2 calls (README: 'account for every span')")
                .isEqualTo(2);
    }

    /** Waits up to 10 s for the condition; the assertion that follows says what was expected if it never came. */
    private static void awaitQuietly(java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(Duration.ofSeconds(10)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported by the caller's assertion
        }
    }
}
