package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CF (fix AV): AGT's {@code tool_call_count} is "the calls before this one that ran" (a denied call is given
 * back). In one JSON-RPC batch (MCP 2025-03-26) every element takes its place before any is decided, and a denied
 * element gives its place back only after the whole batch is decided: so an element behind denied siblings is decided
 * with their places still taken. Under AGT's template cap ({@code tool_call_count gt 2}), a batch of three denied
 * calls and one ordinary call denies the ordinary call as the run's fourth, though no call of the run ever ran.
 */
class ToolCallCountBatchReviewCFTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            version: "1.0"
            name: agt-count
            defaults: {action: allow}
            rules:
              - name: asi08-session-tool-call-limit
                condition: {field: tool_call_count, operator: gt, value: 2}
                action: deny
                priority: 85
              - name: no-env
                condition: {field: tool_name, operator: eq, value: get-env}
                action: deny
                priority: 90
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            try {
                JsonNode body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().toString());
                r.response().putHeader("Content-Type", "application/json").end(body.isArray() ? answers(body) : answer(body));
            } catch (Exception e) {
                r.response().setStatusCode(500).end();
            }
        });
        Files.writeString(dir.resolve("agt-count.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "agt-count", null));
        http = new TestHttp(vertx);
    }

    private static String answer(JsonNode request) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ran\"}]}}";
    }

    private static String answers(JsonNode batch) {
        StringBuilder out = new StringBuilder("[");
        for (JsonNode element : (ArrayNode) batch) {
            out.append(out.length() > 1 ? "," : "").append(answer(element));
        }
        return out.append(']').toString();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{\"message\":\"m" + id + "\"}}}";
    }

    private JsonNode post(String body) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                Buffer.buffer(body));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return JSON.readTree(reply.body().toString());
    }

    private static JsonNode element(JsonNode answers, int id) {
        for (JsonNode a : answers) {
            if (a.path("id").asInt() == id) {
                return a;
            }
        }
        throw new AssertionError("no answer for id " + id + " in " + answers);
    }

    private long forwarded(String message) {
        return upstream.received().stream().filter(r -> r.body().toString().contains("\"" + message + "\"")).count();
    }

    /** Control: four ordinary calls in one batch; the fourth is the run's fourth and is denied, as sent one by one. */
    @Test
    void control_theFourthOfFourOrdinaryCallsIsDenied() throws Exception {
        JsonNode answers = post("[" + call(1, "echo") + "," + call(2, "echo") + "," + call(3, "echo") + "," + call(4, "echo") + "]");
        assertThat(element(answers, 3).has("result")).as(answers.toString()).isTrue();
        assertThat(element(answers, 4).has("error")).as(answers.toString()).isTrue();
    }

    /**
     * The defect: three denied calls and one ordinary call in one batch. None of the denied calls ran, so the ordinary call
     * is the run's first (tool_call_count 0) and must reach the server; it is denied by the cap instead.
     */
    @Test
    void anOrdinaryCallBehindDeniedSiblingsInABatchIsTheRunsFirst() throws Exception {
        JsonNode answers = post("[" + call(1, "get-env") + "," + call(2, "get-env") + "," + call(3, "get-env") + "," + call(4, "echo") + "]");
        assertThat(element(answers, 1).toString()).contains("no-env");
        assertThat(element(answers, 4).has("result")).as("the run's first call that runs: %s", answers).isTrue();
        assertThat(forwarded("m4")).isEqualTo(1);
        // And the run's count afterwards is that one call: two more ordinary calls run, the next is the fourth.
        assertThat(post(call(5, "echo")).has("result")).isTrue();
        assertThat(post(call(6, "echo")).has("result")).isTrue();
        assertThat(post(call(7, "echo")).has("error")).isTrue();
    }
}
