package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JtiReplayGuardTest {

    @Test
    void remembersEveryIdUntilItsTokenExpiresAndRefusesNewOnesWhenFull() {
        JtiReplayGuard guard = new JtiReplayGuard(100);
        Instant later = Instant.now().plusSeconds(300);
        for (int i = 0; i < 100; i++) {
            assertThat(guard.use("id-" + i, later)).isEqualTo(JtiReplayGuard.Use.FIRST);
        }

        // A size-bounded cache made room by evicting ids of its own choosing (W-TinyLFU keeps few recent ones):
        // every one of the 100 must still be known as used, and the 101st refused instead.
        assertThat(guard.use("id-100", later)).isEqualTo(JtiReplayGuard.Use.GUARD_FULL);
        for (int i = 0; i < 100; i++) {
            assertThat(guard.use("id-" + i, later)).as("id-" + i).isEqualTo(JtiReplayGuard.Use.REPLAYED);
        }
    }

    @Test
    void anExpiredIdMakesRoomAgain() throws Exception {
        JtiReplayGuard guard = new JtiReplayGuard(1);
        // Expired 10 minutes ago, so past expiry plus the margin: dropped at once.
        assertThat(guard.use("gone", Instant.now().minus(JtiReplayGuard.MARGIN).minusSeconds(600))).isEqualTo(JtiReplayGuard.Use.FIRST);

        JtiReplayGuard.Use next = JtiReplayGuard.Use.GUARD_FULL;
        for (int i = 0; i < 50 && next == JtiReplayGuard.Use.GUARD_FULL; i++) {
            next = guard.use("fresh", Instant.now().plusSeconds(300));
            if (next == JtiReplayGuard.Use.GUARD_FULL) {
                Thread.sleep(20); // the scheduler's thread drops the expired id
            }
        }
        assertThat(next).isEqualTo(JtiReplayGuard.Use.FIRST);
    }
}
