package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JtiReplayGuardTest {

    private static final Duration SKEW = AxidConfig.DEFAULT_CLOCK_SKEW;

    @Test
    void remembersEveryIdUntilItsTokenExpiresAndRefusesNewOnesWhenFull() {
        JtiReplayGuard guard = new JtiReplayGuard(100);
        Instant later = Instant.now().plusSeconds(300);
        for (int i = 0; i < 100; i++) {
            assertThat(guard.use("id-" + i, later, SKEW)).isEqualTo(JtiReplayGuard.Use.FIRST);
        }

        // A size-bounded cache made room by evicting ids of its own choosing (W-TinyLFU keeps few recent ones):
        // every one of the 100 must still be known as used, and the 101st refused instead.
        assertThat(guard.use("id-100", later, SKEW)).isEqualTo(JtiReplayGuard.Use.GUARD_FULL);
        for (int i = 0; i < 100; i++) {
            assertThat(guard.use("id-" + i, later, SKEW)).as("id-" + i).isEqualTo(JtiReplayGuard.Use.REPLAYED);
        }
    }

    @Test
    void anExpiredIdMakesRoomAgain() throws Exception {
        JtiReplayGuard guard = new JtiReplayGuard(1);
        // Expired 10 minutes before the margin, so past expiry plus skew plus margin: dropped at once.
        assertThat(guard.use("gone", Instant.now().minus(JtiReplayGuard.MARGIN).minusSeconds(600), SKEW)).isEqualTo(JtiReplayGuard.Use.FIRST);

        JtiReplayGuard.Use next = JtiReplayGuard.Use.GUARD_FULL;
        for (int i = 0; i < 50 && next == JtiReplayGuard.Use.GUARD_FULL; i++) {
            next = guard.use("fresh", Instant.now().plusSeconds(300), SKEW);
            if (next == JtiReplayGuard.Use.GUARD_FULL) {
                Thread.sleep(20); // the scheduler's thread drops the expired id
            }
        }
        assertThat(next).isEqualTo(JtiReplayGuard.Use.FIRST);
    }

    /**
     * The verifier accepts a token until its expiry plus the configured skew, so its id must be remembered at least that
     * long: it was forgotten at expiry plus a fixed 5 minutes, and with a larger skew a single-use token was accepted on
     * every presentation after that. Here a token expired the margin and 30 s ago, still inside a 60 s skew.
     */
    @Test
    void anIdIsRememberedForTheClockSkewItsTokenWasAcceptedWithToo() {
        JtiReplayGuard guard = new JtiReplayGuard(10);
        Instant expired = Instant.now().minus(JtiReplayGuard.MARGIN).minusSeconds(30);

        assertThat(guard.use("late", expired, AxidConfig.MAX_CLOCK_SKEW)).isEqualTo(JtiReplayGuard.Use.FIRST);
        assertThat(guard.use("late", expired, AxidConfig.MAX_CLOCK_SKEW)).isEqualTo(JtiReplayGuard.Use.REPLAYED);
        // A reload may raise the skew of tokens already remembered, up to the cap: the margin covers it.
        assertThat(JtiReplayGuard.MARGIN).isGreaterThan(AxidConfig.MAX_CLOCK_SKEW);
    }
}
