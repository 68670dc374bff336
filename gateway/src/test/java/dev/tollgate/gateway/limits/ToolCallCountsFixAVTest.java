package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.policy.Identity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Fix AV: how the gateway counts a run's tool calls for AGT's {@code tool_call_count} ({@link ToolCallCounts}). */
class ToolCallCountsFixAVTest {

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;

    private static Identity caller(String tenant, String agent, String run) {
        return new Identity(null, tenant, agent, run, null, null, null, List.of(), Map.of());
    }

    @Test
    void eachCallSeesTheCallsBeforeItAndADeniedOneGivesItsPlaceBack() {
        ToolCallCounts counts = new ToolCallCounts(100, Duration.ofHours(1), ticker, Runnable::run);
        String run = ToolCallCounts.runOf(caller("acme", "planner", "run-1"), "tools", null);
        assertThat(counts.take(run)).isZero();
        assertThat(counts.take(run)).isEqualTo(1);
        assertThat(counts.take(run)).isEqualTo(2);
        counts.giveBack(run); // the third was denied
        assertThat(counts.peek(run)).isEqualTo(2);
        assertThat(counts.take(run)).isEqualTo(2);
        counts.giveBack("never-counted");
        assertThat(counts.peek("never-counted")).isZero();
    }

    /** Concurrent calls of one run each see a count of their own, so sending them at once passes no cap. */
    @Test
    void concurrentCallsSeeDistinctCounts() throws Exception {
        ToolCallCounts counts = new ToolCallCounts(100, Duration.ofHours(1), ticker, Runnable::run);
        String run = ToolCallCounts.runOf(caller("acme", "planner", "run-1"), "tools", null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> seen = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                seen.add(pool.submit(() -> counts.take(run)));
            }
            Set<Long> distinct = new HashSet<>();
            for (Future<Long> f : seen) {
                distinct.add(f.get());
            }
            assertThat(distinct).hasSize(200).allMatch(n -> n >= 0 && n < 200);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A run is the caller's run: two tenants' run-1 are two runs, and parts cannot be shifted between fields. */
    @Test
    void aRunIsTheCallersRunThenItsSessionThenTheCaller() {
        String acme = ToolCallCounts.runOf(caller("acme", "planner", "run-1"), "tools", "s-1");
        assertThat(acme).isNotEqualTo(ToolCallCounts.runOf(caller("globex", "planner", "run-1"), "tools", "s-1"));
        assertThat(acme).as("a run spans its sessions and routes").isEqualTo(ToolCallCounts.runOf(caller("acme", "planner", "run-1"), "other", "s-2"));
        assertThat(ToolCallCounts.runOf(caller("acme/ops", "planner", "r"), "tools", null))
                .isNotEqualTo(ToolCallCounts.runOf(caller("acme", "ops/planner", "r"), "tools", null));
        String session = ToolCallCounts.runOf(caller("acme", "planner", null), "tools", "s-1");
        assertThat(session).isNotEqualTo(ToolCallCounts.runOf(caller("acme", "planner", null), "tools", "s-2"))
                .isNotEqualTo(ToolCallCounts.runOf(caller("acme", "planner", null), "tools", null));
        assertThat(ToolCallCounts.runOf(caller("acme", "planner", null), "tools", null))
                .isNotEqualTo(ToolCallCounts.runOf(caller("acme", "planner", null), "other", null));
    }

    /** Bounded: a run idle past the expiry is forgotten and starts again at 0; the table keeps at most its bound. */
    @Test
    void idleRunsAreForgottenAndTheTableIsBounded() {
        ToolCallCounts counts = new ToolCallCounts(10, Duration.ofHours(1), ticker, Runnable::run);
        counts.take("a");
        counts.take("a");
        nanos.addAndGet(Duration.ofMinutes(59).toNanos());
        assertThat(counts.take("a")).as("still counted within the hour").isEqualTo(2);
        nanos.addAndGet(Duration.ofMinutes(61).toNanos());
        assertThat(counts.peek("a")).as("idle past the hour").isZero();
        for (int i = 0; i < 1_000; i++) {
            counts.take("run-" + i);
        }
        assertThat(counts.size()).isLessThanOrEqualTo(10);
    }
}
