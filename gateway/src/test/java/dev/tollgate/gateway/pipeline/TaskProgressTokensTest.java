package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class TaskProgressTokensTest {

    private final TaskProgressTokens tokens = new TaskProgressTokens();

    /** Review AG: a task's token is kept a day; a long one (the client's choice, up to the body limit) as a 32-byte digest. */
    @Test
    void aLongTokenIsKeptAsADigestThatMatchesOnlyItself() throws Exception {
        String text = "t".repeat(1_000_000);
        tokens.created("route", "task-1", TextNode.valueOf(text));
        tokens.created("route", "task-2", IntNode.valueOf(7));

        assertThat(tokens.of("route", "task-1")).isInstanceOf(BinaryNode.class);
        assertThat(tokens.of("route", "task-1").binaryValue()).hasSize(32);
        assertThat(tokens.of("route", "task-1")).isEqualTo(HeldIds.keyOf(TextNode.valueOf(new String(text))))
                .isNotEqualTo(HeldIds.keyOf(TextNode.valueOf(text + "u")));
        assertThat(tokens.of("route", "task-2")).as("a short token is kept as it is").isEqualTo(IntNode.valueOf(7));
    }
}
