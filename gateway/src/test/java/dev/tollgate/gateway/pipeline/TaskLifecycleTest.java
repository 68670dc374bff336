package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.jsonrpc.JsonRpcError;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import org.junit.jupiter.api.Test;

class TaskLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static JsonRpcPayload request(String method, String taskId) throws Exception {
        return new JsonRpcPayload.Single(new JsonRpcRequest(JsonRpcId.of(7), method, json("{\"taskId\":\"" + taskId + "\"}")));
    }

    private static JsonRpcResponse result(String text) throws Exception {
        return new JsonRpcResponse(JsonRpcId.of(7), json(text), null);
    }

    @Test
    void aCreateTaskResultStartsATask() throws Exception {
        assertThat(TaskLifecycle.created(result("{\"task\":{\"taskId\":\"t1\",\"status\":\"working\",\"ttl\":60000}}")))
                .isEqualTo(new TaskLifecycle.Created("t1"));
        assertThat(TaskLifecycle.created(result("{\"task\":{\"taskId\":\"t1\",\"status\":\"completed\"}}"))).as("born finished").isNull();
        assertThat(TaskLifecycle.created(result("{\"content\":[]}"))).isNull();
    }

    @Test
    void aTerminalStatusOrAGivenResultEndsATask() throws Exception {
        assertThat(TaskLifecycle.ended(result("{\"taskId\":\"t1\",\"status\":\"completed\"}"), request("tasks/get", "t1"))).isEqualTo("t1");
        assertThat(TaskLifecycle.ended(result("{\"taskId\":\"t1\",\"status\":\"cancelled\"}"), request("tasks/cancel", "t1"))).isEqualTo("t1");
        assertThat(TaskLifecycle.ended(result("{\"taskId\":\"t1\",\"status\":\"working\"}"), request("tasks/get", "t1"))).isNull();
        assertThat(TaskLifecycle.ended(result("{\"content\":[]}"), request("tasks/result", "t1"))).isEqualTo("t1");
        assertThat(TaskLifecycle.ended(new JsonRpcNotification("notifications/tasks/status", json("{\"taskId\":\"t2\",\"status\":\"failed\"}"))))
                .isEqualTo("t2");
        assertThat(TaskLifecycle.ended(new JsonRpcNotification("notifications/tasks/status", json("{\"taskId\":\"t2\",\"status\":\"working\"}"))))
                .isNull();
    }

    /** A caller must not free its slot by sending a request the server refuses: an error says nothing of the task. */
    @Test
    void anErrorOrAnInputRequestEndsNothing() throws Exception {
        JsonRpcResponse error = new JsonRpcResponse(JsonRpcId.of(7), null, new JsonRpcError(-32602, "bad params", null));
        assertThat(TaskLifecycle.ended(error, request("tasks/cancel", "t1"))).isNull();
        assertThat(TaskLifecycle.ended(error, request("tasks/result", "t1"))).isNull();
        assertThat(TaskLifecycle.ended(result("{\"resultType\":\"input_required\",\"inputRequests\":{}}"), request("tasks/result", "t1"))).isNull();
        assertThat(TaskLifecycle.ended(result("{\"taskId\":\"t1\",\"status\":\"working\"}"), request("tasks/cancel", "t1"))).isNull();
    }
}
