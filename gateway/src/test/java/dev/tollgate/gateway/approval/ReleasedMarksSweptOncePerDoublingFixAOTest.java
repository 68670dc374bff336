package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ApprovalsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AO (review BZ, low): the in-memory let-through marks ({@code Approvals.releaseOnce}, one per round of an approved
 * call) are swept of expired ones once the map is large, but no longer on every release: past 10,000 live marks (a tool
 * asking round after round) every release scanned them all. The next sweep is due when the map has doubled since the
 * last one. And, review BZ finding 1, an instance keeps the marks of its own rounds only, without a shared store.
 */
class ReleasedMarksSweptOncePerDoublingFixAOTest {

    private static final int MAX_RELEASED_KEPT = 10_000;

    private Vertx vertx;
    private Approvals approvals;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        approvals = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", null, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void expiredMarksAreSweptOnceTheMapIsLarge() {
        Instant past = Instant.now().minusSeconds(60);
        for (int i = 0; i < MAX_RELEASED_KEPT; i++) {
            assertThat(approvals.releaseOnce("expired-" + i, past).result()).isTrue();
        }
        Instant live = Instant.now().plusSeconds(3600);
        assertThat(approvals.releaseOnce("live", live).result()).isTrue();

        assertThat(approvals.releasedHere("expired-0")).as("swept: its state expired a minute ago").isFalse();
        assertThat(approvals.releasedHere("live")).isTrue();
        assertThat(approvals.releaseOnce("live", live).result()).as("a live mark is kept: the round is let through once").isFalse();
    }

    @Test
    void liveMarksAreNotScannedOnEveryRelease() {
        Instant live = Instant.now().plusSeconds(3600);
        for (int i = 0; i < MAX_RELEASED_KEPT; i++) {
            approvals.releaseOnce("live-" + i, live);
        }
        approvals.releaseOnce("sweeps", live); // the map is at 10,000: a sweep runs, removes nothing, and the next is due at 20,000
        approvals.releaseOnce("expired", Instant.now().minusSeconds(60));
        approvals.releaseOnce("after", live);

        assertThat(approvals.releasedHere("expired")).as("no sweep before the map doubles: the release did not scan 10,000 marks").isTrue();
        assertThat(approvals.releasedHere("live-0")).isTrue();
    }

    @Test
    void withoutASharedStoreAnInstanceKeepsTheMarksOfItsOwnRoundsOnly() {
        Approvals restarted = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", null, new SimpleMeterRegistry());

        assertThat(approvals.keepsMarksOf(approvals.instance())).isTrue();
        assertThat(restarted.keepsMarksOf(approvals.instance())).isFalse();
        assertThat(approvals.keepsMarksOf(null)).isFalse();
    }
}
