package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AG: span attributes carry client-chosen text (a JSON-RPC id, up to the body limit); the gateway's SDK cuts each
 * value at {@link Telemetry#MAX_ATTRIBUTE_CHARS}, so spans queued for a slow collector hold no megabytes each.
 */
class SpanAttributeLengthTest {

    @Test
    void aLongAttributeValueIsCutAtTheGatewaysLimit() {
        // An exporter makes the SDK record spans; this one's loopback port has no receiver and the span is read before it.
        Telemetry telemetry = Telemetry.create(new TelemetryConfig("tollgate-test", "otlp", false, List.of()),
                Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:9", "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.exporter.otlp.timeout", "500"));
        Span span = telemetry.tracer().spanBuilder("tools/call echo").startSpan();
        try {
            span.setAttribute(CallAttributes.JSONRPC_REQUEST_ID, "x".repeat(3 * 1024 * 1024));
            span.setAttribute(AttributeKey.stringKey("short"), "1");

            assertThat(span).isInstanceOf(ReadableSpan.class);
            ReadableSpan read = (ReadableSpan) span;
            assertThat(read.getAttribute(CallAttributes.JSONRPC_REQUEST_ID)).hasSize(Telemetry.MAX_ATTRIBUTE_CHARS);
            assertThat(read.getAttribute(AttributeKey.stringKey("short"))).isEqualTo("1");
        } finally {
            span.end();
            telemetry.close();
        }
    }
}
