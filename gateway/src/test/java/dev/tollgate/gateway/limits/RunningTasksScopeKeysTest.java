package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BG finding 3 (fix Z): a running task's slot is held under every key of its scope, so a task that ends after a
 * reload renaming the scope gives its slot back.
 */
class RunningTasksScopeKeysTest {

    private final ConcurrentCalls calls = new ConcurrentCalls();

    @Test
    void aTaskEndedUnderTheRenamedScopeGivesItsSlotBack() {
        calls.runningTasks().started(List.of("origin a", "origin b"), "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).isEqualTo(1);
        assertThat(calls.runningTasks().size()).as("one task, whatever its keys").isEqualTo(1);

        calls.runningTasks().ended(List.of("origin b", "origin a"), "t1");
        assertThat(calls.tasksRunning("r")).isZero();
        assertThat(calls.runningTasks().size()).as("removed under every key").isZero();

        calls.runningTasks().started(List.of("origin a"), "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).as("not taken for ended early: its end found its slot").isEqualTo(1);
    }

    @Test
    void aTaskStartedUnderAnyOfItsKeysHoldsOneSlot() {
        calls.runningTasks().started(List.of("origin a", "origin b"), "t1", () -> calls.holdTask("r", "alice"));
        calls.runningTasks().started(List.of("origin b"), "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).isEqualTo(1);
    }

    @Test
    void anEndSeenFirstUnderTheNewScopeTakesNoSlotUnderTheOld() {
        calls.runningTasks().ended(List.of("origin b"), "t1");
        calls.runningTasks().started(List.of("origin a", "origin b"), "t1", () -> calls.holdTask("r", "alice"));
        assertThat(calls.tasksRunning("r")).isZero();
    }

    @Test
    void anotherServersTaskOfTheSameIdIsNotEnded() {
        calls.runningTasks().started(List.of("origin a", "origin b"), "t1", () -> calls.holdTask("r", "alice"));
        calls.runningTasks().ended(List.of("origin c"), "t1");
        assertThat(calls.tasksRunning("r")).isEqualTo(1);
    }
}
