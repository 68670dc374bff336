package dev.tollgate.gateway.tasks;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tasks.max-bindings-per-tenant} through the gateway (review AG): a tenant whose share of the task table is full is
 * refused 429 {@code task_bindings_full} the calls that could bind more (an A2A message starting or naming a new
 * conversation, a {@code tools/call} asking for a task), nothing forwarded; its calls in the conversations it holds, and
 * other tenants' calls, go on.
 */
class TaskBindingFullTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agent;
    private RecordingUpstream tools;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private TestHttp http;
    private final AtomicInteger tasks = new AtomicInteger();
    /** The conversation the agent's answers name (null: none), and whether it answers on a stream. */
    private volatile String chosen;
    private volatile boolean streaming;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(request -> {
            String context = chosen == null ? "" : "\"contextId\":\"" + chosen + "\",";
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"r1\",\"role\":\"ROLE_AGENT\","
                    + context + "\"parts\":[{\"text\":\"ok\"}]}}}";
            if (streaming) {
                request.response().putHeader("Content-Type", "text/event-stream").end("data: " + answer + "\n\n");
            } else {
                request.response().putHeader("Content-Type", "application/json").end(answer);
            }
        });
        tools = new RecordingUpstream(vertx);
        tools.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":" + lastId() + ",\"result\":{\"task\":{\"taskId\":\"task-" + tasks.incrementAndGet()
                        + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\",\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\","
                        + "\"ttl\":60000,\"pollInterval\":1000}}}"));
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                tasks: {max-bindings-per-tenant: 2}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), agent.url(""), tools.url("/mcp")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        agent.close();
        tools.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTenantWithItsShareOfConversationsFullIsRefusedANewOneAndNothingIsForwarded() throws Exception {
        assertThat(send("evil", "u1", "evil-1").json().has("result")).isTrue();
        assertThat(send("evil", "u2", "evil-2").json().has("result")).as("another agent counts in its tenant's share").isTrue();

        TestHttp.Reply refused = send("evil", "u3", "evil-3");

        assertFull(refused);
        assertFull(send("evil", "u1", null));
        assertThat(agent.received()).as("the refused sends reached nobody").hasSize(2);
        assertThat(send("evil", "u1", "evil-1").json().has("result")).as("a conversation it holds goes on").isTrue();
        assertThat(send("acme", "u1", "acme-1").json().has("result")).as("another tenant's share is its own").isTrue();
        assertThat(send("acme", "u1", "evil-3").json().has("result")).as("the refused id was bound to nobody").isTrue();
    }

    @Test
    void aTenantWithItsShareOfTasksFullIsRefusedATaskAugmentedCallAndNothingIsForwarded() throws Exception {
        assertThat(toolsCall("evil", 1).json().at("/result/task/taskId").asText()).isEqualTo("task-1");
        assertThat(toolsCall("evil", 2).json().at("/result/task/taskId").asText()).isEqualTo("task-2");

        TestHttp.Reply refused = toolsCall("evil", 3);

        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(429);
        JsonNode error = refused.json().path("error");
        assertThat(error.at("/data/reason").asText()).isEqualTo("task_bindings_full");
        assertThat(error.path("code").asInt()).isEqualTo(-32000);
        assertThat(refused.json().path("id").asInt()).isEqualTo(3);
        assertThat(tools.received()).hasSize(2);
        assertThat(toolsCall("acme", 4).json().at("/result/task/taskId").asText()).isEqualTo("task-3");
    }

    /** The id of the call the tools upstream is answering (the last it received). */
    private int lastId() {
        try {
            return JSON.readTree(tools.received().get(tools.received().size() - 1).body().getBytes()).path("id").asInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Calls racing past the check, or an agent answering with a conversation of its own choosing: the answer that would
     * bind past the share is withheld (502 task_store_unavailable, JSON; on a stream, the event is replaced by the error),
     * never handed out bound to nobody.
     */
    @Test
    void anAnswerThatWouldBindPastTheShareIsWithheld() throws Exception {
        chosen = "agent-chosen-1";
        assertThat(send("evil", "a1", "evil-1").json().has("result")).as("the agent's conversation is bound: one left").isTrue();

        chosen = "agent-chosen-2";
        TestHttp.Reply withheld = send("evil", "a1", "evil-1"); // its own conversation: claimed, so forwarded

        assertThat(withheld.status()).as(withheld.body().toString()).isEqualTo(502);
        assertThat(withheld.json().at("/error/data/reason").asText()).isEqualTo("task_store_unavailable");
        assertThat(withheld.body().toString()).doesNotContain("agent-chosen-2").contains("max-bindings-per-tenant");

        chosen = "agent-chosen-3";
        streaming = true;
        TestHttp.Reply stream = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token("evil", "a1")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendStreamingMessage\",\"params\":{\"message\":{\"messageId\":\"m1\","
                        + "\"contextId\":\"evil-1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}}"));
        assertThat(stream.body().toString()).as(stream.body().toString()).doesNotContain("agent-chosen-3").contains("task_store_unavailable");
    }

    private static void assertFull(TestHttp.Reply reply) throws Exception {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(429);
        JsonNode error = reply.json().path("error");
        assertThat(error.at("/data/reason").asText()).as(reply.body().toString()).isEqualTo("task_bindings_full");
    }

    private TestHttp.Reply send(String tenant, String agent, String context) throws Exception {
        String contextMember = context == null ? "" : "\"contextId\":\"" + context + "\",";
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, agent)),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\","
                        + contextMember + "\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}}"));
    }

    private TestHttp.Reply toolsCall(String tenant, int id) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\","
                        + "\"arguments\":{},\"task\":{\"ttl\":60000}}}"));
    }
}
