package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, f26cd48 / 5b06e28): a ListTasks answered on an SSE stream is now filtered event by event whatever the
 * HTTP status, and MCP tasks/list error statuses are filtered too, but A2aResponseFilter.rewriteJson filters a JSON
 * ListTasks answer only when its status is exactly 200: a 2xx such as 203 (what a transforming proxy in front of the agent
 * sets) or 206 is relayed as the agent listed it, and every A2A client takes any 2xx (fetch's response.ok) as the list.
 * globex is handed acme's task.
 */
class TaskListNon200ReviewTest {

    private static final String TASK = "{\"id\":\"task-9\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;
    private final AtomicInteger listStatus = new AtomicInteger(200);

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("ListTasks")) {
                request.response().setStatusCode(listStatus.get()).putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tasks\":[" + TASK + "],\"totalSize\":1}}");
                return;
            }
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":" + TASK + "}}");
        });
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), upstream.url("")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aListTasksAnsweredWithA203LosesAnotherCallersTasks() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        TestHttp.Reply at200 = jsonRpc("globex", "ListTasks", "{}");
        assertThat(at200.body().toString()).as("control: a 200 list is filtered").doesNotContain("task-9");
        listStatus.set(203);

        TestHttp.Reply at203 = jsonRpc("globex", "ListTasks", "{}");

        assertThat(at203.status() / 100).isEqualTo(2);
        assertThat(at203.body().toString()).as("globex is listed acme's task: " + at203.body()).doesNotContain("task-9");
    }

    private TestHttp.Reply jsonRpc(String tenant, String method, String params) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }
}
