package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.pipeline.A2aAnswerIds.Kind;
import org.junit.jupiter.api.Test;

/** The ids an A2A answer hands its client, read as @a2a-js/sdk's response readers (ts-proto fromJSON) read them. */
class A2aAnswerIdsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String task(String answer) throws Exception {
        return A2aAnswerIds.named(JSON.readTree(answer), Kind.TASK);
    }

    private static String context(String answer) throws Exception {
        return A2aAnswerIds.named(JSON.readTree(answer), Kind.CONTEXT);
    }

    @Test
    void everyPayloadAndIdSpellingTheClientReads() throws Exception {
        assertThat(task("{\"task\":{\"id\":\"t\",\"contextId\":\"c\"}}")).isEqualTo("t");
        assertThat(context("{\"task\":{\"id\":\"t\",\"context_id\":\"c\"}}")).isEqualTo("c");
        assertThat(task("{\"status_update\":{\"task_id\":\"t\"}}")).isEqualTo("t");
        assertThat(task("{\"artifact_update\":{\"taskId\":\"t\"}}")).isEqualTo("t");
        assertThat(context("{\"msg\":{\"context_id\":\"c\"}}")).isEqualTo("c");
        assertThat(task("{\"kind\":\"task\",\"id\":\"t\"}")).as("0.3 JSON-RPC, kind-tagged").isEqualTo("t");
        assertThat(task("{\"kind\":\"status-update\",\"taskId\":\"t\"}")).isEqualTo("t");
        assertThat(task("{\"task\":{\"id\":9}}")).as("String(9)").isEqualTo("9");
        assertThat(task("{\"task\":{\"id\":\"\"}}")).as("the client's no id").isNull();
        assertThat(task("{\"message\":{\"parts\":[]}}")).isNull();
        assertThat(task("{\"task\":{\"id\":\"t\"},\"statusUpdate\":{\"taskId\":\"t\"}}")).as("the same task twice").isEqualTo("t");
    }

    @Test
    void whatTheClientCouldReadOtherwiseIsUnreadable() {
        for (String answer : new String[] {
            "{\"task\":{\"id\":\"a\"},\"statusUpdate\":{\"taskId\":\"b\"}}",
            "{\"statusUpdate\":{\"taskId\":\"a\",\"task_id\":\"b\"}}",
            "{\"task\":{\"id\":{\"x\":1}}}",
            "{\"task\":{\"id\":[\"a\"]}}",
            "{\"task\":{\"id\":9.5}}",
            "{\"task\":{\"id\":18014398509481985}}",
            "{\"kind\":\"task\",\"id\":\"a\",\"task\":{\"id\":\"b\"}}"}) {
            assertThatThrownBy(() -> task(answer)).as(answer).isInstanceOf(A2aTaskLearner.UnreadableAnswer.class);
        }
        assertThatThrownBy(() -> context("{\"task\":{\"contextId\":\"a\"},\"message\":{\"context_id\":\"b\"}}"))
                .isInstanceOf(A2aTaskLearner.UnreadableAnswer.class);
    }
}
