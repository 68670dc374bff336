package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class A2aTaskStatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static A2aTaskStates.Seen seen(String json) throws Exception {
        return A2aTaskStates.seen(JSON.readTree(json));
    }

    @Test
    void readsBothGenerationsTasksAndStatusUpdates() throws Exception {
        assertThat(seen("{\"task\":{\"id\":\"t1\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}")).isEqualTo(new A2aTaskStates.Seen("t1", false));
        assertThat(seen("{\"id\":\"t1\",\"contextId\":\"c\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}")).isEqualTo(new A2aTaskStates.Seen("t1", true));
        assertThat(seen("{\"statusUpdate\":{\"taskId\":\"t1\",\"status\":{\"state\":\"TASK_STATE_FAILED\"}}}")).isEqualTo(new A2aTaskStates.Seen("t1", true));
        assertThat(seen("{\"kind\":\"task\",\"id\":\"t2\",\"status\":{\"state\":\"working\"}}")).isEqualTo(new A2aTaskStates.Seen("t2", false));
        assertThat(seen("{\"kind\":\"status-update\",\"taskId\":\"t2\",\"status\":{\"state\":\"canceled\"},\"final\":true}"))
                .isEqualTo(new A2aTaskStates.Seen("t2", true));
    }

    @Test
    void anInterruptedTaskStillRunsAndAMessageShowsNoTask() throws Exception {
        assertThat(seen("{\"task\":{\"id\":\"t1\",\"status\":{\"state\":\"TASK_STATE_INPUT_REQUIRED\"}}}").terminal()).isFalse();
        assertThat(seen("{\"message\":{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[]}}")).isNull();
        assertThat(seen("{\"kind\":\"message\",\"messageId\":\"m\",\"role\":\"agent\",\"parts\":[]}")).isNull();
        assertThat(seen("{\"task\":{\"id\":{\"a\":1},\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}")).as("an id no client reads").isNull();
    }

    /** A numeric id is the task String(id) to the client and to the task learner: it holds a slot while it runs. */
    @Test
    void aNumericTaskIdIsReadAsTheClientReadsIt() throws Exception {
        assertThat(seen("{\"task\":{\"id\":7,\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}")).isEqualTo(new A2aTaskStates.Seen("7", false));
        assertThat(seen("{\"kind\":\"task\",\"id\":8,\"status\":{\"state\":\"working\"}}")).isEqualTo(new A2aTaskStates.Seen("8", false));
        assertThat(seen("{\"id\":9,\"contextId\":\"c\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}")).isEqualTo(new A2aTaskStates.Seen("9", true));
        assertThat(seen("{\"task\":{\"id\":1.5,\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}")).as("String(1.5) is not Java's").isNull();
    }

    /** Review AX: proto JSON's other spelling, which the SDK's ts-proto reader takes when the camelCase one is absent. */
    @Test
    void readsAStatusUpdateInEitherSpelling() throws Exception {
        assertThat(seen("{\"status_update\":{\"task_id\":\"t1\",\"context_id\":\"c\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}}"))
                .isEqualTo(new A2aTaskStates.Seen("t1", true));
        assertThat(seen("{\"statusUpdate\":{\"task_id\":\"t1\",\"status\":{\"state\":\"TASK_STATE_CANCELED\"}}}"))
                .isEqualTo(new A2aTaskStates.Seen("t1", true));
        assertThat(seen("{\"status_update\":{\"taskId\":\"t1\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}"))
                .isEqualTo(new A2aTaskStates.Seen("t1", false));
        assertThat(seen("{\"kind\":\"status-update\",\"task_id\":\"t2\",\"status\":{\"state\":\"completed\"},\"final\":true}"))
                .isEqualTo(new A2aTaskStates.Seen("t2", true));
        assertThat(seen("{\"status_update\":{\"task_id\":7,\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}}"))
                .as("String(7), as the client reads it").isEqualTo(new A2aTaskStates.Seen("7", true));
        assertThat(seen("{\"status_update\":{\"taskId\":\"t1\",\"task_id\":\"t2\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}}"))
                .as("two tasks named: none is taken as ended").isNull();
    }
}
