package dev.tollgate.bench;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counting receiver against the bytes the OTel SDK's own OTLP/HTTP exporter sends, plain and gzipped. */
class OtlpSpanCounterTest {

    private Vertx vertx;
    private OtlpSpanCounter counter;
    private int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        counter = new OtlpSpanCounter();
        HttpServer server = counter.listen(vertx, 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void countsEverySpanTheSdkExportsByKindAndName() {
        exportCallSpans("plain", "none", 7);

        JsonObject plain = counter.countsJson().getJsonObject("plain");
        assertEquals(14, plain.getLong("spans"));
        assertEquals(7, plain.getJsonObject("kinds").getLong("SERVER"));
        assertEquals(7, plain.getJsonObject("kinds").getLong("INTERNAL"));
        assertEquals(7, plain.getJsonObject("names").getLong("policy decision"));
        assertEquals(7, plain.getJsonObject("names").getLong("tools/call echo"));
        assertEquals(0, plain.getLong("malformed"));
    }

    @Test
    void countsGzippedExportsSeparatelyPerPath() {
        exportCallSpans("zipped", "gzip", 3);
        exportCallSpans("other", "none", 2);

        assertEquals(3, counter.countsJson().getJsonObject("zipped").getJsonObject("kinds").getLong("SERVER"));
        assertEquals(2, counter.countsJson().getJsonObject("other").getJsonObject("kinds").getLong("SERVER"));
    }

    @Test
    void findsSpansInHandBuiltMessagesAndSkipsOtherFields() {
        // Span {name=5:"a", kind=6:3 (CLIENT), start time=7 (fixed64)} inside ScopeSpans.spans inside ResourceSpans.scope_spans,
        // with a ResourceSpans.resource (field 1) to skip.
        byte[] span = {0x2a, 1, 'a', 0x30, 3, 0x39, 1, 2, 3, 4, 5, 6, 7, 8};
        byte[] scopeSpans = concat(new byte[]{0x12, (byte) span.length}, span);
        byte[] resourceSpans = concat(new byte[]{0x0a, 0}, new byte[]{0x12, (byte) scopeSpans.length}, scopeSpans);
        byte[] request = concat(new byte[]{0x0a, (byte) resourceSpans.length}, resourceSpans);
        List<String> seen = new ArrayList<>();

        int spans = OtlpSpanTally.visitSpans(request, (name, kind) -> seen.add(name + "/" + OtlpSpanTally.kindName(kind)));

        assertEquals(1, spans);
        assertEquals(List.of("a/CLIENT"), seen);
        assertThrows(IllegalArgumentException.class, () -> OtlpSpanTally.visitSpans(new byte[]{0x0a, 9, 1}, (n, k) -> { }));
    }

    private void exportCallSpans(String key, String compression, int calls) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + port + "/v1/traces/" + key)
                .setCompression(compression)
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        Tracer tracer = provider.get("test");
        for (int i = 0; i < calls; i++) {
            tracer.spanBuilder("tools/call echo").setSpanKind(SpanKind.SERVER).startSpan().end();
            tracer.spanBuilder("policy decision").startSpan().end();
        }
        CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);
        assertTrue(flushed.isSuccess(), "the exporter's posts were accepted");
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
