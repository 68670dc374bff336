package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A2A task holds its caller's slot while it runs (review Z), its own GetTask still gets through, and the slot comes
 * back once an answer shows the task done (1.0 {@code TASK_STATE_COMPLETED} in a GetTask answer). Caller limited to 1.
 */
class A2aRunningTaskSlotsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;
    private final AtomicReference<String> state = new AtomicReference<>("TASK_STATE_WORKING");

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
            String task = "{\"id\":\"task-1\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"%s\"}}";
            String result = "GetTask".equals(body.path("method").asText()) ? task.formatted(state.get())
                    : "{\"task\":" + task.formatted("TASK_STATE_WORKING") + "}";
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + body.path("id")
                    + ",\"result\":" + result + "}");
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
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p, max-concurrent-calls: 2, max-concurrent-calls-per-caller: 1}
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

    private TestHttp.Reply rpc(int id, String method, String params) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token("acme", "a"));
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private TestHttp.Reply send(int id) throws Exception {
        return rpc(id, "SendMessage", "{\"message\":{\"messageId\":\"m" + id + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"crawl\"}]},"
                + "\"configuration\":{\"returnImmediately\":true}}");
    }

    @Test
    void aWorkingTaskHoldsTheSlotUntilAGetTaskShowsItDone() throws Exception {
        assertThat(send(1).body().toString()).contains("TASK_STATE_WORKING");
        int forwarded = upstream.received().size();
        TestHttp.Reply refused = send(2);
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(429);
        assertThat(upstream.received()).as("the refused send is not forwarded").hasSize(forwarded);

        assertThat(rpc(3, "GetTask", "{\"id\":\"task-1\"}").status()).as("the task's own poll gets through").isEqualTo(200);
        assertThat(send(4).status()).as("still working: still held").isEqualTo(429);

        state.set("TASK_STATE_COMPLETED");
        assertThat(rpc(5, "GetTask", "{\"id\":\"task-1\"}").status()).isEqualTo(200);
        assertThat(send(6).status()).as("the task was seen done: its slot is back").isEqualTo(200);
    }
}
