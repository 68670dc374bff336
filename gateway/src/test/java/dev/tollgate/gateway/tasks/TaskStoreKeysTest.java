package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A binding's key names one route, one id and one kind: no other pair of route name and id text spells it. */
class TaskStoreKeysTest {

    private final TaskStoreKeys keys = new TaskStoreKeys("tollgate");

    @Test
    void routeAndIdPairsThatConcatenateAlikeGetDifferentKeys() {
        Set<String> seen = new HashSet<>();
        for (List<String> pair : List.of(List.of("a:b", "c"), List.of("a", "b:c"), List.of("a:", "b:c"), List.of("a", ":b:c"),
                List.of("1:a", "b"), List.of("1", "a:b"), List.of("", "1:a:b"))) {
            assertThat(seen.add(keys.key(TaskStoreKeys.TASK, pair.get(0), pair.get(1)))).as(pair.toString()).isTrue();
        }
    }

    @Test
    void aTaskAndAContextOfTheSameIdAreKeptApartAndKeysArePlainAndShort() {
        String task = keys.key(TaskStoreKeys.TASK, "agent", "x".repeat(10_000) + " \n{}*");
        String context = keys.key(TaskStoreKeys.CONTEXT, "agent", "x".repeat(10_000) + " \n{}*");

        assertThat(task).isNotEqualTo(context).matches("tollgate:task:task:[0-9a-f]{64}");
        assertThat(context).matches("tollgate:task:context:[0-9a-f]{64}");
    }
}
