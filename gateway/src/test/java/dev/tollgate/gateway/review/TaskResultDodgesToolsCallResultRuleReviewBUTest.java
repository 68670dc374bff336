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
 * Review BU, finding 1: since fix AL a result is described with the method of the request it answers, so a result rule
 * scoped {@code method: tools/call} no longer holds on {@code tasks/result}. A tool call is task-augmented at the
 * client's choice ({@code params.task}), and its CallToolResult then comes back only as the answer to
 * {@code tasks/result}: the caller picks whether the rule applies. Before fix AL every MCP result was read as a
 * tools/call's, so the same rule redacted it.
 *
 * <p>Exact input: policy redacting card numbers from {@code {method: tools/call}} results;
 * {@code tools/call customer_lookup} with {@code task: {}} answered with task job-1; {@code tasks/result {taskId: job-1}}
 * answered with the tool's CallToolResult holding a card number. The gateway relays the card number unredacted.
 */
class TaskResultDodgesToolsCallResultRuleReviewBUTest {

    private static final String SESSION = TestSessions.sealed("upstream", "session-abc");
    private static final String CARD = "4111 1111 1111 1111";
    private static final String TOOL_RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"customer 17: card " + CARD + "\"}]}";

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

    private RequestOptions post() {
        return TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25");
    }
}
