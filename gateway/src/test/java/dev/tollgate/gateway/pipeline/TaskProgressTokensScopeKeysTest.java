package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review BG (fix Z): a task's progress token is kept under every key of its scope, found after a reload renames it. */
class TaskProgressTokensScopeKeysTest {

    private final TaskProgressTokens tokens = new TaskProgressTokens();

    @Test
    void aTokenIsFoundUnderAnyKeyOfTheScope() {
        tokens.created(List.of("origin a", "origin b"), "task-1", IntNode.valueOf(7));
        assertThat(tokens.of(List.of("origin b", "origin a"), "task-1")).isEqualTo(IntNode.valueOf(7));
        assertThat(tokens.of(List.of("origin b", "origin c"), "task-1")).isEqualTo(IntNode.valueOf(7));
        assertThat(tokens.of(List.of("origin c"), "task-1")).as("another server's task").isNull();
    }
}
