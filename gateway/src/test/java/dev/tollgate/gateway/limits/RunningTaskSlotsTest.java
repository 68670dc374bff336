package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A running task holds its caller's slot (review Y), yet the caller's own follow-ups get through, and the slot comes back
 * when the task is seen to end: a terminal status in a tasks/get answer, a tasks/status notification, or a tasks/cancel
 * answer. Caller limited to 1 call in flight.
 */
class RunningTaskSlotsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    /** The status tasks/get reports. */
    private final AtomicReference<String> status = new AtomicReference<>("working");

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            String method = body.path("method").asText();
            String taskId = body.at("/params/taskId").asText("task-" + id);
            String task = "{\"taskId\":\"" + taskId + "\",\"status\":\"%s\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                    + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}";
            String result = switch (method) {
                case "tools/call" -> body.path("params").has("task") ? "{\"task\":" + task.formatted("working") + "}"
                        : "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
                case "tasks/get" -> task.formatted(status.get());
                case "tasks/cancel" -> task.formatted("cancelled");
                default -> "{}";
            };
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 4\nmax-concurrent-calls-per-caller: 1", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply send(String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"), Buffer.buffer(body));
    }

    private String createTask(int id) throws Exception {
        TestHttp.Reply reply = send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{},"
                + "\"task\":{\"ttl\":60000}}}");
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.json().at("/result/task/taskId").asText();
    }

    private TestHttp.Reply plainCall(int id) throws Exception {
        return send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}");
    }

    @Test
    void aRunningTaskRefusesMoreWorkButNotItsOwnPollsAndItsEndGivesTheSlotBack() throws Exception {
        String taskId = createTask(1);
        int forwardedBefore = upstream.received().size();
        TestHttp.Reply refused = plainCall(2);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().at("/error/data/reason").asText()).as(refused.body().toString()).isEqualTo("caller_concurrency_limit");
        assertThat(upstream.received()).as("the refused call is not forwarded").hasSize(forwardedBefore);

        TestHttp.Reply poll = send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
        assertThat(poll.status()).as("the task's own poll gets through").isEqualTo(200);
        assertThat(plainCall(4).status()).as("still working: still held").isEqualTo(429);

        status.set("completed");
        assertThat(send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + taskId + "\"}}").status()).isEqualTo(200);
        assertThat(plainCall(6).status()).as("the task was seen to end: its slot is back").isEqualTo(200);
    }

    @Test
    void cancellingATaskGivesItsSlotBack() throws Exception {
        String taskId = createTask(1);
        assertThat(plainCall(2).status()).isEqualTo(429);
        assertThat(send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/cancel\",\"params\":{\"taskId\":\"" + taskId + "\"}}").status()).isEqualTo(200);
        assertThat(plainCall(4).status()).isEqualTo(200);
    }
}
