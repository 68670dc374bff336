package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.UpstreamsConfig.OutlierEjection;
import dev.tollgate.gateway.routing.UpstreamTarget;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pieces of balancing that need no network: the weighted turn order, and ejection's back-off. */
class UpstreamSetTest {

    @Test
    void weightedTurnsAreInterleavedNotBunched() {
        assertThat(UpstreamSet.interleaved(new int[] {3, 1})).containsExactly(0, 0, 1, 0);
        assertThat(UpstreamSet.interleaved(new int[] {1, 1, 1})).containsExactly(0, 1, 2);
        assertThat(UpstreamSet.interleaved(new int[] {5, 1, 1})).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void ejectionDoublesWhileFailuresContinueUpToTheMaximumAndASuccessResetsIt() {
        UpstreamInstance instance = new UpstreamInstance("r", UpstreamTarget.of(URI.create("http://127.0.0.1:1/x")), "http://127.0.0.1:1/x");
        OutlierEjection policy = new OutlierEjection(2, Duration.ofSeconds(10), Duration.ofSeconds(30));
        long now = 1_000_000_000L;
        assertThat(instance.failed(policy, now)).isFalse();
        assertThat(instance.available(now)).isTrue();
        assertThat(instance.failed(policy, now)).isTrue();
        assertThat(instance.available(now + Duration.ofSeconds(9).toNanos())).isFalse();
        assertThat(instance.available(now + Duration.ofSeconds(10).toNanos())).isTrue();
        // Failing again right after it came back: 20 s, then capped at 30 s.
        now += Duration.ofSeconds(10).toNanos();
        instance.failed(policy, now);
        assertThat(instance.failed(policy, now)).isTrue();
        assertThat(instance.available(now + Duration.ofSeconds(19).toNanos())).isFalse();
        assertThat(instance.available(now + Duration.ofSeconds(20).toNanos())).isTrue();
        now += Duration.ofSeconds(20).toNanos();
        instance.failed(policy, now);
        instance.failed(policy, now);
        assertThat(instance.available(now + Duration.ofSeconds(29).toNanos())).isFalse();
        assertThat(instance.available(now + Duration.ofSeconds(30).toNanos())).isTrue();
        // A success in between: the next ejection is the base length again.
        now += Duration.ofSeconds(30).toNanos();
        instance.succeeded();
        instance.failed(policy, now);
        instance.failed(policy, now);
        assertThat(instance.available(now + Duration.ofSeconds(10).toNanos())).isTrue();
        assertThat(instance.ejections()).isEqualTo(4);
    }

    @Test
    void probesNeedTheirStreakToChangeHealth() {
        UpstreamInstance instance = new UpstreamInstance("r", UpstreamTarget.of(URI.create("http://127.0.0.1:1/x")), "http://127.0.0.1:1/x");
        assertThat(instance.probed(false, 2, 2)).isFalse();
        assertThat(instance.probed(true, 2, 2)).isFalse();
        assertThat(instance.probed(false, 2, 2)).isFalse();
        assertThat(instance.probed(false, 2, 2)).isTrue();
        assertThat(instance.probedHealthy()).isFalse();
        assertThat(instance.probed(true, 2, 2)).isFalse();
        assertThat(instance.probed(true, 2, 2)).isTrue();
        assertThat(instance.probedHealthy()).isTrue();
    }
}
