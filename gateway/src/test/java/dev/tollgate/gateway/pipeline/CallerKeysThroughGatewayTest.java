package dev.tollgate.gateway.pipeline;

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
 * Owners of tasks and rate-limit buckets are built from identity values a token issuer chooses: two identities whose
 * values join alike (tenant "acme/ops" with agent "planner", and tenant "acme" with agent "ops/planner") must not own
 * each other's tasks or share buckets. Driven through the gateway with real AXIDs (CallerKeyTest has the keys).
 */
class CallerKeysThroughGatewayTest {

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
                  - name: one-report-per-caller
                    condition: {all: [{tool: report}, {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1, per: [tenant, agent]}}}]}
                    action: deny
                    message: one report per tenant and agent per hour
                """);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (7 + i);
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
    void aTaskIsNotServedToAnotherIdentityWhoseTenantAndAgentConcatenateAlike() throws Exception {
        String victimSession = initialize("acme", "ops/planner");
        String attackerSession = initialize("acme/ops", "planner");
        TestHttp.Reply created = send("acme", "ops/planner", victimSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).isEqualTo("job-1");
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send("acme/ops", "planner", attackerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).as("tenant acme/ops agent planner is not tenant acme agent ops/planner").isEqualTo(404);
        assertThat(borrowed.reason()).isEqualTo("task_not_found");
        assertThat(upstream.received()).as("the other identity's tasks/get is not forwarded").hasSize(before);
    }

    @Test
    void aTaskOfATokenWithoutAgentIsNotServedToTheAgentNamedNull() throws Exception {
        String victimSession = initialize("acme", null);
        String attackerSession = initialize("acme", "null");
        send("acme", null, victimSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send("acme", "null", attackerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    @Test
    void oneIdentitysCallsDoNotDrainAnotherIdentitysRateLimitBucket() throws Exception {
        String attackerSession = initialize("acme|ops", "planner");
        String victimSession = initialize("acme", "ops|planner");
        TestHttp.Reply attackers = send("acme|ops", "planner", attackerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(attackers.json().has("result")).as(attackers.body().toString()).isTrue();

        TestHttp.Reply victims = send("acme", "ops|planner", victimSession,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");

        assertThat(victims.json().has("result")).as("the victim's first report of the hour: " + victims.body()).isTrue();
    }

    @Test
    void aMissingAgentAndTheAgentNamedDashDoNotShareABucket() throws Exception {
        String dashSession = initialize("acme", "-");
        String noAgentSession = initialize("acme", null);
        TestHttp.Reply dash = send("acme", "-", dashSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(dash.json().has("result")).as(dash.body().toString()).isTrue();

        TestHttp.Reply noAgent = send("acme", null, noAgentSession,
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");

        assertThat(noAgent.json().has("result")).as("first report of the agentless caller: " + noAgent.body()).isTrue();
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
