package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ConcurrencyLimits;
import org.junit.jupiter.api.Test;

class RunningTasksTest {

    private final ConcurrentCalls calls = new ConcurrentCalls();
    private final ConcurrencyLimits oneEach = new ConcurrencyLimits(10, 1);

    @Test
    void aTaskCountsBesideTheCallersCallsUntilItEnds() {
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "alice"));
        var alice = calls.admit("r", "alice", oneEach);
        assertThat(alice).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admitBesideTasks("r", "alice", oneEach)).isInstanceOf(ConcurrentCalls.CallerFull.class);
        assertThat(calls.admitBesideTasks("r", "bob", oneEach)).as("another caller").isNull();

        calls.runningTasks().ended("s", "t1");
        calls.runningTasks().size();
        assertThat(calls.admitBesideTasks("r", "alice", oneEach)).isNull();
        assertThat(calls.tasksRunning("r")).isZero();
        ((ConcurrentCalls.Admitted) alice).release();
    }

    @Test
    void aTaskSeenToEndBeforeItWasSeenCreatedTakesNoSlot() {
        calls.runningTasks().ended("s", "t1");
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).isZero();
    }

    @Test
    void aTaskLearntTwiceHoldsOneSlot() {
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "alice"));
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).isEqualTo(1);
    }

    @Test
    void routeLimitCountsEveryCallersTasks() {
        ConcurrencyLimits two = new ConcurrencyLimits(2, 5);
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "alice"));
        calls.runningTasks().started("s", "t2", () -> calls.holdTask("r", "bob"));
        var carol = calls.admit("r", "carol", two);
        assertThat(calls.admitBesideTasks("r", "carol", two)).isInstanceOf(ConcurrentCalls.RouteFull.class);
        ((ConcurrentCalls.Admitted) carol).release();
    }
}
