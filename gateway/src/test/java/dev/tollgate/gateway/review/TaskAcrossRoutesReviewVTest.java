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
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review V, finding 5 (medium): task ownership is kept per route name, so a second route to the same upstream is a
 * route on which nobody's tasks are bound: tenant globex reads tenant acme's task by naming it on the other route.
 *
 * <p>Input: two routes to one MCP server, {@code /mcp} ("internal") and {@code /partners} (say, a stricter policy for
 * partner tenants), both requiring an AXID. acme's run creates task {@code job-1} on {@code /mcp}. globex's run opens its
 * own session on {@code /partners} and sends {@code tasks/get {taskId: job-1}} there.
 *
 * <p>Gateway's reading: TaskOrigins is keyed {@code (route, taskId)}; {@code (partners, job-1)} is unknown, and "a task the
 * gateway did not see created binds nobody", so globex's request is forwarded. The upstream's reading: one task store,
 * {@code job-1} is acme's task, whose status and result it returns to globex (tasks/result, tasks/cancel likewise; the
 * same for A2A tasks and contexts).
 *
 * <p>Suggested fix: key task and context bindings by the upstream that holds them (the route's upstream set, e.g. its
 * sorted instance URLs, or a configured upstream name) rather than by the route name, so every route to one server sees
 * the same bindings; or refuse task ids not known on a route whose upstream another route shares.
 */
class TaskAcrossRoutesReviewVTest {

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
        Files.writeString(dir.resolve("policies/allow-all.yaml"), RunningGateway.ALLOW_ALL);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (13 + i);
        }
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                  - {name: internal, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}
                  - {name: partners, path: /partners, protocol: mcp, upstream: "%s", policy: allow-all}
                """.formatted(dir.resolve("policies"), tokens.identityYaml(), Base64.getEncoder().encodeToString(secret),
                upstream.url("/mcp"), upstream.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anotherTenantDoesNotReadATaskByNamingItOnAnotherRouteToTheSameServer() throws Exception {
        String acme = tokens.token("acme", "planner");
        String globex = tokens.token("globex", "planner");
        String acmeSession = initialize("/mcp", acme);
        TestHttp.Reply created = send("/mcp", acme, acmeSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-1");
        String globexSession = initialize("/mcp", globex);
        TestHttp.Reply sameRoute = send("/mcp", globex, globexSession, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");
        assertThat(sameRoute.reason()).as("on the route that created it the task is acme's").isEqualTo("task_not_found");

        String globexPartnerSession = initialize("/partners", globex);
        int before = upstream.received().size();
        TestHttp.Reply otherRoute = send("/partners", globex, globexPartnerSession,
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(otherRoute.status()).as("globex must not read acme's task through another route: " + otherRoute.body()).isEqualTo(404);
        assertThat(otherRoute.reason()).isEqualTo("task_not_found");
        assertThat(upstream.received()).hasSize(before);
    }

    private String initialize(String path, String token) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("X-Waxell-AXID", token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String path, String token, String session, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("X-Waxell-AXID", token).putHeader("Mcp-Session-Id", session),
                Buffer.buffer(body));
    }
}
