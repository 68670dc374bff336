package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AX: a streamed A2A task that ends in a status update written in the proto field spelling
 * ({@code status_update.task_id}) keeps holding its caller's concurrency slot. A2aTaskStates#seen accepts the
 * {@code status_update} member but reads only {@code taskId} in it; the @a2a-js/sdk client (ts-proto
 * TaskStatusUpdateEvent.fromJSON) reads {@code task_id} as well and sees the task completed. The caller, limited to one
 * call or task at a time, is then refused its next call although nothing runs.
 */
class A2aSnakeCaseStatusUpdateSlotReviewAXTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agent;
    private RunningGateway gateway;
    private final AtomicReference<String> completion = new AtomicReference<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(r -> {
            if (r.method() == HttpMethod.GET) {
                r.response().putHeader("Content-Type", "application/json").end("{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\","
                        + "\"supportedInterfaces\":[{\"url\":\"" + agent.url("/a") + "\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion\":\"1.0\"}],"
                        + "\"capabilities\":{\"streaming\":true},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],"
                        + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}");
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(agent.received().get(agent.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                r.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            if (body.path("method").asText().equals("SendStreamingMessage")) {
                r.response().putHeader("Content-Type", "text/event-stream").end(
                        "data: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"task\":{\"id\":\"t1\",\"contextId\":\"c1\","
                                + "\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n"
                                + "data: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + completion.get() + "}\n\n");
            } else {
                r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"message\":"
                        + "{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"did it\"}]}}}");
            }
        });
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p, max-concurrent-calls: 1}
                """.formatted(dir.resolve("policies"), agent.url("/a")));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Control: the task's completion in the camelCase spelling frees the slot; the next send goes through. */
    @Test
    void control_aTaskCompletedInACamelCaseStatusUpdateFreesItsSlot() throws Exception {
        completion.set("{\"statusUpdate\":{\"taskId\":\"t1\",\"contextId\":\"c1\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}}");

        assertThat(send("stream").path("outcome").asText()).isEqualTo("result");
        JsonNode next = send(null);
        assertThat(next.path("outcome").asText()).as(next.toString()).isEqualTo("result");
    }

    @Test
    void aTaskCompletedInASnakeCaseStatusUpdateFreesItsSlotToo() throws Exception {
        completion.set("{\"status_update\":{\"task_id\":\"t1\",\"context_id\":\"c1\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}}");

        assertThat(send("stream").path("outcome").asText()).isEqualTo("result");
        JsonNode next = send(null);
        assertThat(next.path("outcome").asText()).as("the SDK client saw task t1 completed; the gateway still counts it running: " + next)
                .isEqualTo("result");
    }

    private JsonNode send(String mode) throws Exception {
        NodePeers.Result run = mode == null ? NodePeers.run(40, "a2a/send-client.mjs", gateway.url("/agent"))
                : NodePeers.run(40, "a2a/send-client.mjs", gateway.url("/agent"), mode);
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
