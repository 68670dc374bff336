package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BV: since cb511c66 a task's answers (tasks/get, tasks/result) are described as its creating tool's
 * {@code tools/call}, so a result rule scoped {@code method: tools/call} covers a task's statusMessage fetched with
 * tasks/get. The very same statusMessage listed by {@code tasks/list} is still described as a {@code tasks/list}
 * answer (ListPolicing), so the rule does not hold there and the card number reaches the caller in clear.
 */
class TaskListStatusDodgesToolsCallResultRuleReviewBVTest {

    private static final String SESSION = TestSessions.sealed("upstream", "session-abc");
    private static final String CARD = "4111 1111 1111 1111";
    private static final String TOOL_RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"customer 17: card " + CARD + "\"}]}";

    private static final String TASK = "{\"taskId\":\"job-1\",\"status\":\"working\",\"statusMessage\":\"charging card " + CARD
            + "\",\"createdAt\":\"2026-12-07T15:00:00Z\",\"lastUpdatedAt\":\"2026-12-07T15:00:01Z\",\"ttl\":60000}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s)^\\{\"jsonrpc\":\"2.0\",\"id\":(\\d+).*", "$1");
            r.response().putHeader("Mcp-Session-Id", "session-abc");
            if (body.contains("customer_lookup") && body.contains("\"task\"")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"task\":{\"taskId\":\"job-1\",\"status\":\"working\"}}}");
            } else if (body.contains("customer_lookup")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TOOL_RESULT + "}");
            } else if (body.contains("tasks/get")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TASK + "}");
            } else if (body.contains("tasks/list")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"tasks\":[" + TASK + "]}}");
            } else if (body.contains("tasks/result")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TOOL_RESULT + "}");
            } else {
                r.response().setStatusCode(202).end();
            }
        });
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-card-numbers-in-tool-results
                    condition: {all: [{direction: result}, {method: tools/call}, {check: {name: pii, args: {kinds: [card]}}}]}
                    action: redact
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", TestSessions.YAML));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTasksStatusMessageListedByTasksListIsStillItsToolCallsAnswer() throws Exception {
        TestHttp.Reply task = http.send(post(), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"customer_lookup\",\"arguments\":{\"id\":17},\"task\":{}}}"));
        assertThat(task.body().toString()).contains("job-1");

        TestHttp.Reply got = http.send(post(), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}"));
        assertThat(got.body().toString()).as("control, tasks/get: " + got.body()).contains("charging card").doesNotContain(CARD);

        TestHttp.Reply listed = http.send(post(), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}"));
        assertThat(listed.body().toString()).as("the same task's statusMessage, listed by tasks/list: " + listed.body())
                .contains("job-1").doesNotContain(CARD);
    }

    private RequestOptions post() {
        return TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25");
    }
}
