package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What became of the spans the gateway ended: exported, refused by the collector, or dropped by the SDK's batch
 * processor because its queue was full. The first two are counted around the exporter; the drops only the batch
 * processor knows, and it reports them as its own metric ({@code processedSpans{dropped=true}}) to the SDK's
 * meter provider, which this reader is registered with (pulled when the gateway's metrics are scraped).
 */
public final class SpanPipelineCounts implements MetricReader {

    private static final String BATCH_PROCESSOR_METRIC = "processedSpans";
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile CollectionRegistration registration = CollectionRegistration.noop();
    /** The count read when the SDK shut down: its meters are gone after that. */
    private volatile long droppedAtShutdown;

    /** Spans the exporter delivered. */
    private AllowedCallSampling sampling;

    void sampling(AllowedCallSampling sampling) {
        this.sampling = sampling;
    }

    /** Spans of allowed calls left out by {@code telemetry.sample-allowed}. */
    public long sampledOut() {
        return sampling == null ? 0 : sampling.sampledOut();
    }

    public long exported() {
        return exported.get();
    }

    /** Spans in batches the exporter could not deliver (collector down, refused, timed out). */
    public long exportFailed() {
        return failed.get();
    }

    /** Spans the batch processor dropped because its queue was full. */
    public long dropped() {
        return Math.max(droppedAtShutdown, droppedNow());
    }

    private long droppedNow() {
        long dropped = 0;
        for (MetricData metric : registration.collectAllMetrics()) {
            if (metric.getName().equals(BATCH_PROCESSOR_METRIC)) {
                for (LongPointData point : metric.getLongSumData().getPoints()) {
                    if (Boolean.TRUE.equals(point.getAttributes().get(DROPPED))) {
                        dropped += point.getValue();
                    }
                }
            }
        }
        return dropped;
    }

    /** Wraps the exporter so that what it delivers and what it fails to deliver are counted. */
    public SpanExporter counting(SpanExporter exporter) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                int count = spans.size();
                CompletableResultCode result = exporter.export(spans);
                result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(count));
                return result;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }

            @Override
            public String toString() {
                return exporter.toString();
            }
        };
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        droppedAtShutdown = droppedNow();
        registration = CollectionRegistration.noop();
        return CompletableResultCode.ofSuccess();
    }
}
