package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@code telemetry.sample-allowed}: allowed, successful calls are sampled by trace id; everything an operator looks for is kept. */
class AllowedCallSamplingTest {

    private record Pipeline(InMemorySpanExporter kept, AllowedCallSampling sampling, Tracer tracer) {
    }

    private static Pipeline pipeline(double ratio) {
        InMemorySpanExporter kept = InMemorySpanExporter.create();
        AllowedCallSampling sampling = new AllowedCallSampling(ratio);
        Tracer tracer = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(sampling.wrap(kept))).build().get("test");
        return new Pipeline(kept, sampling, tracer);
    }

    private static void span(Pipeline p, String name, Consumer<Span> attributes) {
        Span span = p.tracer().spanBuilder(name).startSpan();
        attributes.accept(span);
        span.end();
    }

    @Test
    void withNoShareOnlyDeniedAuditedHeldAndFailedCallsAreExported() {
        Pipeline p = pipeline(0.0);
        span(p, "allowed", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "allow"));
        span(p, "not policed", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "not_policed"));
        span(p, "denied", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, false).setAttribute(CallAttributes.POLICY_ACTION, "deny"));
        span(p, "audited", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "audit"));
        span(p, "approved", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "approve")
                .setAttribute(CallAttributes.APPROVAL_ID, "apr_1"));
        span(p, "failed", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "allow")
                .setAttribute(CallAttributes.ERROR_TYPE, "upstream_timeout").setStatus(StatusCode.ERROR));
        assertThat(p.kept().getFinishedSpanItems()).extracting(s -> s.getName()).containsExactly("denied", "audited", "approved", "failed");
        assertThat(p.sampling().sampledOut()).isEqualTo(2);
    }

    @Test
    void aShareKeepsAboutThatShareOfAllowedCallsChosenByTraceId() {
        Pipeline p = pipeline(0.25);
        for (int i = 0; i < 4000; i++) {
            span(p, "allowed", s -> s.setAttribute(CallAttributes.POLICY_ALLOWED, true).setAttribute(CallAttributes.POLICY_ACTION, "allow"));
        }
        int kept = p.kept().getFinishedSpanItems().size();
        assertThat(kept).isBetween(850, 1150);
        assertThat(kept + p.sampling().sampledOut()).isEqualTo(4000);
        // The same trace id is always decided alike (every replica and every span of the trace agree).
        p.kept().getFinishedSpanItems().forEach(s -> assertThat(p.sampling().keep(s)).isTrue());
    }

    @Test
    void theWholeShareExportsEverythingUntouched() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        assertThat(new AllowedCallSampling(1.0).wrap(exporter)).isSameAs(exporter);
    }
}
