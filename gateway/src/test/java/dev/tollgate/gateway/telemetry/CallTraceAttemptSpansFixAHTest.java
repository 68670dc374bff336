package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.TelemetryConfig;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fix AH (review BN): one CLIENT span per upstream attempt, each ended exactly once, whatever ends it. */
class CallTraceAttemptSpansFixAHTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final Telemetry telemetry = Telemetry.of(OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build(),
            new TelemetryConfig("tollgate", "none", false, List.of(), true, Duration.ofSeconds(1), 1.0, true));

    private CallTrace trace() {
        return CallTrace.starting(telemetry, MultiMap.caseInsensitiveMultiMap(), "tools/list").start(Attributes::empty);
    }

    private List<SpanData> clients() {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    }

    @Test
    void aFailedAttemptEndsItsSpanOnceWithItsErrorAndTheCallCountsIt() {
        CallTrace trace = trace();
        trace.startUpstream(() -> "tools/list", "10.0.0.1", 8080, MultiMap.caseInsensitiveMultiMap());
        trace.upstreamAttemptFailed("upstream_error");
        trace.upstreamAttemptFailed("upstream_error"); // nothing open: nothing more ends
        trace.startUpstream(() -> "tools/list", "10.0.0.2", 8080, MultiMap.caseInsensitiveMultiMap());
        trace.end(200, null);
        trace.end(200, null);
        trace.upstreamAttemptFailed("upstream_error"); // after the end: nothing

        assertThat(clients()).hasSize(2);
        assertThat(clients().get(0).getAttributes().get(CallAttributes.SERVER_ADDRESS)).isEqualTo("10.0.0.1");
        assertThat(clients().get(0).getAttributes().get(CallAttributes.ERROR_TYPE)).isEqualTo("upstream_error");
        assertThat(clients().get(0).getAttributes().get(CallAttributes.SAMPLING_KEEP)).isTrue();
        assertThat(clients().get(1).getAttributes().get(CallAttributes.SERVER_ADDRESS)).isEqualTo("10.0.0.2");
        assertThat(clients().get(1).getAttributes().get(CallAttributes.ERROR_TYPE)).isNull();
        assertThat(clients().get(1).getAttributes().get(CallAttributes.SAMPLING_KEEP)).as("its call is kept").isTrue();
        SpanData server = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(server.getAttributes().get(CallAttributes.UPSTREAM_FAILED_ATTEMPTS)).isEqualTo(2L);
        assertThat(server.getAttributes().get(CallAttributes.UPSTREAM_DURATION_MS)).as("the CLIENT spans show it").isNull();
        assertThat(spans.getFinishedSpanItems()).hasSize(3);
    }

    @Test
    void anAttemptStartedOverAnOpenOneEndsTheOpenOneFirst() {
        CallTrace trace = trace();
        trace.startUpstream(() -> "tools/list", "10.0.0.1", 8080, MultiMap.caseInsensitiveMultiMap());
        trace.startUpstream(() -> "tools/list", "10.0.0.2", 8080, MultiMap.caseInsensitiveMultiMap());
        trace.end(504, "upstream_timeout");

        assertThat(clients()).extracting(s -> s.getAttributes().get(CallAttributes.ERROR_TYPE))
                .containsExactly("upstream_attempt_abandoned", "upstream_timeout");
    }

    @Test
    void theKeepRulesReadTheNewAttributes() {
        Attributes allowed = Attributes.of(CallAttributes.POLICY_ALLOWED, true, CallAttributes.POLICY_ACTION, "allow");
        assertThat(AllowedCallSampling.alwaysKept(allowed::get, false)).isFalse();
        for (var key : List.of(CallAttributes.SERVER_REQUEST_DENIED, CallAttributes.SERVER_REQUEST_UNRECORDED,
                CallAttributes.UPSTREAM_FAILED_ATTEMPTS)) {
            Attributes marked = allowed.toBuilder().put(key, 1L).build();
            assertThat(AllowedCallSampling.alwaysKept(marked::get, false)).as(key.getKey()).isTrue();
        }
    }
}
