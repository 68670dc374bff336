package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revD): an MCP tools/call answer naming a task the gateway already bound (to another caller, or to another
 * tool) rebinds it: McpResponseFilter.noteCreatedTask calls TaskOrigins.learn, which overwrites. The A2A learner keeps
 * the first owner ("an answer cannot hand another caller's task to this one"); the MCP path does not. The upstream here
 * answers every tools/call with task job-1 (a server deduplicating identical task-augmented calls, or a hostile one).
 */
class TaskRebindingReviewTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private TenantTokens tokens;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answerAsTaskServer("upstream-session");
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: payroll-tasks-are-not-cancelled
                    condition: {all: [{tool: run_payroll}, {method: tasks/cancel}]}
                    action: deny
                    message: a payroll run cannot be cancelled half way
                """);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (11 + i);
        }
        String sessions = "sessions:\n  max-age: 1h\n  keys:\n    - {id: k, secret: \"" + Base64.getEncoder().encodeToString(secret) + "\"}\n";
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                tokens.identityYaml() + sessions));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anotherCallersToolsCallAnswerNamingTheSameTaskDoesNotHandTheTaskToIt() throws Exception {
        String victimSession = initialize("acme", "planner");
        String attackerSession = initialize("globex", "planner");
        TestHttp.Reply created = send("acme", "planner", victimSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).isEqualTo("job-1");

        // globex's own call is answered with the same task id.
        TestHttp.Reply own = send("globex", "planner", attackerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send("globex", "planner", attackerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).as("job-1 was acme's first; globex's answer (" + own.body() + ") must not rebind it: "
                + borrowed.body()).isEqualTo(404);
        assertThat(upstream.received()).as("globex's tasks/get of acme's task is not forwarded").hasSize(before);
        TestHttp.Reply victims = send("acme", "planner", victimSession,
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");
        assertThat(victims.status()).as("acme still reaches its own task: " + victims.body()).isEqualTo(200);
    }

    @Test
    void anAnswerOfAnotherToolNamingTheSameTaskDoesNotMoveTheTaskToThatTool() throws Exception {
        String session = initialize("acme", "planner");
        send("acme", "planner", session,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"run_payroll\",\"arguments\":{}}}");
        TestHttp.Reply refused = send("acme", "planner", session,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/cancel\",\"params\":{\"taskId\":\"job-1\"}}");
        assertThat(refused.body().toString()).as("the rule holds before: " + refused.body()).contains("payroll-tasks-are-not-cancelled");

        // A harmless tool's answer names the payroll task.
        send("acme", "planner", session,
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");
        int before = upstream.received().size();
        TestHttp.Reply cancel = send("acme", "planner", session,
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/cancel\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(cancel.body().toString()).as("job-1 is run_payroll's task whatever a later answer says: " + cancel.body())
                .contains("payroll-tasks-are-not-cancelled");
        assertThat(upstream.received()).as("the cancel is not forwarded").hasSize(before);
    }

    private String initialize(String tenant, String agent) throws Exception {
        TestHttp.Reply reply = http.send(post(tenant, agent).setPort(gateway.port()), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String tenant, String agent, String session, String body) throws Exception {
        return http.send(post(tenant, agent).putHeader("Mcp-Session-Id", session).setPort(gateway.port()), Buffer.buffer(body));
    }

    private RequestOptions post(String tenant, String agent) throws Exception {
        return TestHttp.mcpPost(0, "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, agent));
    }
}
