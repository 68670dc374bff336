package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The audit and access logs write times as {@code Instant.toString} does; the cached formatter must not differ. */
class InstantTextTest {

    private final InstantText text = new InstantText();

    @Test
    void everyFractionLengthIsWrittenAsInstantToStringWritesIt() {
        long second = 1_796_000_000L;
        for (int nanos : new int[] {0, 1, 9, 10, 999, 1_000, 1_001, 10_000, 999_000, 1_000_000, 1_000_001, 7_000_000, 120_000_000,
                123_456_000, 123_456_789, 100_000_000, 999_999_999, 500_000_010}) {
            assertSameAsInstant(second, nanos);
        }
    }

    @Test
    void theCachedSecondIsNotReusedForAnother() {
        assertSameAsInstant(1_796_000_000L, 5_000_000);
        assertSameAsInstant(1_796_000_000L, 6_000);
        assertSameAsInstant(1_796_000_001L, 0);
        assertSameAsInstant(1_796_000_000L, 7);     // back a second (a batch holds records from a few seconds)
        assertSameAsInstant(Instant.MIN.getEpochSecond(), 0); // the earliest second an Instant holds
    }

    @Test
    void randomInstantsOverEveryYearAnInstantHolds() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            long second = i % 2 == 0
                    ? random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
                    : random.nextLong(-10_000_000_000L, 10_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> random.nextInt(1_000) * 1_000_000;
                case 1 -> random.nextInt(1_000_000) * 1_000;
                case 2 -> random.nextInt(1_000_000_000);
                default -> 0;
            };
            assertSameAsInstant(second, nanos);
            assertSameAsInstant(second, (nanos + 1) % 1_000_000_000); // the same second again, from the cache
        }
    }

    @Test
    void formatsAnInstantWholeAndAppendsToWhatIsThere() {
        Instant now = Instant.now();
        assertThat(text.format(now)).isEqualTo(now.toString());
        StringBuilder line = new StringBuilder("time=");
        text.append(now.getEpochSecond(), now.getNano(), line);
        assertThat(line.toString()).isEqualTo("time=" + now);
    }

    private void assertSameAsInstant(long second, int nanos) {
        StringBuilder b = new StringBuilder();
        text.append(second, nanos, b);
        assertThat(b.toString()).as("%d s + %d ns", second, nanos).isEqualTo(Instant.ofEpochSecond(second, nanos).toString());
    }
}
