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
 * A task's answers are its tool call's for result rules, however the client fetches them.
 *
 * <p>Review BU, finding 1: since fix AL a result was described with the method of the request it answered, so a result
 * rule scoped {@code method: tools/call} no longer held on {@code tasks/result}. A tool call is task-augmented at the
 * client's choice ({@code params.task}), and its CallToolResult then comes back only as the answer to
 * {@code tasks/result}: the caller picked whether the rule applied. Exact input: a policy redacting card numbers from
 * {@code {method: tools/call}} results; {@code tools/call customer_lookup} with {@code task: {}} answered with task job-1;
 * {@code tasks/result {taskId: job-1}} answered with the tool's CallToolResult holding a card number.
 *
 * <p>Review BV: once tasks/get and tasks/result were read so, the same task's statusMessage listed by {@code tasks/list}
 * was still described as a {@code tasks/list} answer (ListPolicing), and the card number reached the caller in clear.
 */
class TaskAnswersAreToolCallAnswersReviewBUBVTest {

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
    void aTaskAugmentedToolCallsResultIsStillAToolCallsResult() throws Exception {
        TestHttp.Reply direct = http.send(post(), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"customer_lookup\",\"arguments\":{\"id\":17}}}"));
        assertThat(direct.body().toString()).as("control, the plain call: " + direct.body()).contains("customer 17").doesNotContain(CARD);

        TestHttp.Reply task = http.send(post(), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"customer_lookup\",\"arguments\":{\"id\":17},\"task\":{}}}"));
        assertThat(task.body().toString()).contains("job-1");

        TestHttp.Reply result = http.send(post(), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"job-1\"}}"));
        assertThat(result.body().toString()).as("customer_lookup's CallToolResult, fetched with tasks/result: " + result.body())
                .contains("customer 17").doesNotContain(CARD);
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
