package dev.tollgate.bench;

import dev.tollgate.gateway.audit.InstantText;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The time of an audit record as its writer thread formats it: {@code Instant.toString} (what it did) against
 * {@link InstantText}, which formats each second once. Times advance by about 75 µs a record, as on the load
 * harness at ~13,000 calls/s, so a second's text is reused ~13,000 times, as in a batch of records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditTimeBenchmark {

    private static final long STEP_NANOS = 75_123;

    private final InstantText text = new InstantText();
    private long second;
    private long nanos;

    @Setup
    public void setUp() {
        Instant now = Instant.now();
        second = now.getEpochSecond();
        nanos = now.getNano();
    }

    private Instant next() {
        nanos += STEP_NANOS;
        if (nanos >= 1_000_000_000L) {
            nanos -= 1_000_000_000L;
            second++;
        }
        return Instant.ofEpochSecond(second, nanos);
    }

    @Benchmark
    public String instantToString() {
        return next().toString();
    }

    @Benchmark
    public String instantText() {
        return text.format(next());
    }
}
