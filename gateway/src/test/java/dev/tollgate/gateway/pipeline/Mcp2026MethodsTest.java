package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How MCP 2026-07-28 methods are classified: {@code server/discover} is plumbing (never policed: refusing it
 * only downgrades the client to 2025-11-25), {@code subscriptions/listen} is policed like any request, and a
 * task's {@code tasks/*} calls are decided as calls of the tool that created the task. Hand-made requests in
 * the revision's wire form (envelope and routing headers) against a recording upstream.
 */
class Mcp2026MethodsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V2026 = "2026-07-28";
    /** Deny by default; deploys may start but a running deploy may not be cancelled; nobody reads payroll. */
    private static final String POLICY = """
            name: p
            defaults: {action: deny}
            rules:
              - name: deploys-run-to-the-end
                priority: 10
                condition: {all: [{tool: deploy}, {method: tasks/cancel}]}
                action: deny
                message: a running deploy cannot be cancelled
              - name: no-payroll
                priority: 10
                condition: {tool: payroll}
                action: deny
              - name: tools-and-their-tasks
                condition: {method: ["tools/call", "tasks/*"]}
                action: allow
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final AtomicReference<String> nextResult = new AtomicReference<>();
    private final AtomicReference<Boolean> answerWithSse = new AtomicReference<>(false);

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            JsonNode body = readJson(upstream.received().get(upstream.received().size() - 1).body());
            String result = nextResult.get() == null ? "{\"resultType\":\"complete\",\"content\":[]}" : nextResult.get();
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + result + "}";
            if (answerWithSse.get()) {
                request.response().putHeader("Content-Type", "text/event-stream").end("event: message\ndata: " + answer + "\n\n");
            } else {
                request.response().putHeader("Content-Type", "application/json").end(answer);
            }
        });
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "p",
                "audit: {directory: " + dir.resolve("audit") + "}"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void serverDiscoverIsNeverPolicedWhereADefaultDenyPolicyDeniesEveryOtherMethod() throws Exception {
        nextResult.set("{\"resultType\":\"complete\",\"supportedVersions\":[\"2026-07-28\"],\"capabilities\":{}}");

        TestHttp.Reply discover = send(1, "server/discover", null, "{}");
        TestHttp.Reply listen = send(2, "subscriptions/listen", null, "{\"notifications\":{\"toolsListChanged\":true}}");

        assertThat(discover.status()).isEqualTo(200);
        assertThat(discover.json().at("/result/supportedVersions/0").asText()).isEqualTo(V2026);
        assertThat(listen.errorCode()).as(listen.body().toString()).isEqualTo(-32010);
        assertThat(upstream.received()).extracting(r -> readJson(r.body()).path("method").asText()).containsExactly("server/discover");
    }

    @Test
    void aTasksCallIsDecidedAsACallOfTheToolThatCreatedTheTask() throws Exception {
        nextResult.set("{\"resultType\":\"complete\",\"task\":{\"taskId\":\"deploy-7\",\"status\":\"working\"}}");
        assertThat(send(1, "tools/call", "deploy", "{\"name\":\"deploy\",\"arguments\":{}}").json().at("/result/task/taskId").asText())
                .isEqualTo("deploy-7");
        nextResult.set(null);

        TestHttp.Reply get = send(2, "tasks/get", "deploy-7", "{\"taskId\":\"deploy-7\"}");
        TestHttp.Reply cancel = send(3, "tasks/cancel", "deploy-7", "{\"taskId\":\"deploy-7\"}");

        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().has("result")).isTrue();
        assertThat(cancel.errorCode()).isEqualTo(-32010);
        assertThat(cancel.json().at("/error/data/rule").asText()).isEqualTo("deploys-run-to-the-end");
        assertThat(upstream.received()).extracting(r -> readJson(r.body()).path("method").asText()).containsExactly("tools/call", "tasks/get");
        List<JsonNode> audit = auditRecords(3);
        assertThat(audit).extracting(r -> r.path("method").asText() + " " + r.path("tool").asText())
                .containsExactly("tools/call deploy", "tasks/get deploy", "tasks/cancel deploy");
        assertThat(audit).allSatisfy(r -> assertThat(r.path("protocol_version").asText()).isEqualTo(V2026));
    }

    @Test
    void aTaskCreatedInAnSseAnswerIsLearntToo() throws Exception {
        answerWithSse.set(true);
        nextResult.set("{\"resultType\":\"complete\",\"task\":{\"taskId\":\"deploy-8\",\"status\":\"working\"}}");
        send(1, "tools/call", "deploy", "{\"name\":\"deploy\",\"arguments\":{}}");
        nextResult.set(null);

        TestHttp.Reply cancel = send(2, "tasks/cancel", "deploy-8", "{\"taskId\":\"deploy-8\"}");

        assertThat(cancel.errorCode()).isEqualTo(-32010);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aTaskTheGatewayDidNotSeeCreatedHasNoToolAndToolRulesDoNotApplyToIt() throws Exception {
        // Created through another replica, or before a restart: only method rules can decide it (README says so).
        TestHttp.Reply cancel = send(1, "tasks/cancel", "elsewhere-1", "{\"taskId\":\"elsewhere-1\"}");

        assertThat(cancel.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void tasksAreLearntPerRouteAndOnlyFromTheAnswerToAToolCall() throws Exception {
        // An answer to tasks/get naming a task is not a creation: the task id stays unknown, as an attacker
        // could otherwise pin a harmless tool onto another tool's task.
        nextResult.set("{\"resultType\":\"complete\",\"task\":{\"taskId\":\"payroll-1\",\"status\":\"working\"}}");
        send(1, "tasks/get", "payroll-1", "{\"taskId\":\"payroll-1\"}");
        assertThat(send(2, "tools/call", "payroll", "{\"name\":\"payroll\",\"arguments\":{}}").errorCode()).isEqualTo(-32010);
        nextResult.set(null);

        assertThat(send(3, "tasks/get", "payroll-1", "{\"taskId\":\"payroll-1\"}").status()).isEqualTo(200);
        assertThat(auditRecords(3)).extracting(r -> r.path("method").asText() + " " + r.path("tool").asText(""))
                .containsExactly("tasks/get ", "tools/call payroll", "tasks/get ");
    }

    @Test
    void theRevisionOfEachRequestIsOnItsAuditRecord() throws Exception {
        http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}"));
        send(2, "tools/call", "echo", "{\"name\":\"echo\",\"arguments\":{}}");

        assertThat(auditRecords(2)).extracting(r -> r.path("protocol_version").asText()).containsExactly("2025-11-25", V2026);
    }

    /** A 2026-07-28 request: the envelope in {@code params._meta}, and the routing headers mirroring the body. */
    private TestHttp.Reply send(int id, String method, String name, String params) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode p = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(params);
        p.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", V2026)
                .putObject("io.modelcontextprotocol/clientCapabilities");
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + JSON.writeValueAsString(p) + "}";
        RequestOptions options = TestHttp.mcpPost(gateway.port(), "/mcp")
                .putHeader("MCP-Protocol-Version", V2026).putHeader("Mcp-Method", method);
        if (name != null) {
            options.putHeader("Mcp-Name", name);
        }
        return http.send(options, Buffer.buffer(body));
    }

    /** The audit log's records, once the writer has written the expected number (it writes off the event loop). */
    private List<JsonNode> auditRecords(int expected) throws Exception {
        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<JsonNode> records = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            records.clear();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    records.add(JSON.readTree(line));
                }
            }
            if (records.size() >= expected) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(records).hasSize(expected);
        return records;
    }

    private static JsonNode readJson(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
