package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.UpstreamsConfig.OutlierEjection;
import dev.tollgate.gateway.routing.UpstreamTarget;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review AY, finding 7 (low: a long-dead instance stops being ejected): UpstreamInstance.failed computes the ejection as
 * {@code min(baseTime.toNanos() << previous, maxTime)} with {@code previous} up to 20. With a base-time of about 2.5 hours
 * or more (accepted: only {@code max-time >= base-time} is checked), {@code baseTime << 20} overflows a long before the
 * min: the length is negative, {@code Math.max(length, 0)} makes it 0, and from the 21st ejection in a row on the
 * instance is never ejected again (an instance left dead in the route then takes every call's first attempt again).
 * Fix: clamp before shifting (e.g. stop doubling once the length reaches max-time, or use Math.multiplyHigh /
 * saturating arithmetic), or bound base-time in the reader.
 */
class EjectionBackoffOverflowReviewAYTest {

    @Test
    void theTwentyFirstEjectionInARowStillLastsMaxTime() {
        OutlierEjection policy = new OutlierEjection(1, Duration.ofHours(3), Duration.ofHours(3));
        UpstreamInstance dead = new UpstreamInstance("r", UpstreamTarget.of(URI.create("http://127.0.0.1:1/x")), "http://127.0.0.1:1/x");
        long now = 0;
        for (int ejection = 1; ejection <= 25; ejection++) {
            assertThat(dead.failed(policy, now)).as("failure %d ejects the instance", ejection).isTrue();
            assertThat(dead.available(now + Duration.ofMinutes(1).toNanos()))
                    .as("one minute into ejection %d (base-time 3h, max-time 3h) the instance is still out", ejection).isFalse();
            now += Duration.ofHours(3).toNanos() + 1;
        }
    }
}
