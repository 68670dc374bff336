package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review W, finding 2 (medium: cross-tenant task read after an ordinary reload): TaskScopes names a group of routes to
 * one server by the least route name in the group, and that name is the key of every task and context binding
 * (TaskOrigins, in memory and in Redis), which outlive the snapshot. A reload that adds a route to the same server whose
 * name sorts first (here {@code audit} next to {@code mcp}), or removes/renames the group's least route, moves the whole
 * group to another key: every binding made before the reload is now under a key nobody reads.
 *
 * <p>Exact input: route {@code mcp} to server S; acme's run creates task {@code job-1} (tools/call answered with a task);
 * globex's {@code tasks/get job-1} is refused {@code task_not_found} (control). The operator reloads a configuration that
 * adds {@code {name: audit, path: /audit, upstream: S}}. globex sends {@code tasks/get {taskId: job-1}} on {@code /mcp}
 * again, on the same route it was refused on a moment ago.
 *
 * <p>Gateway's reading: the scope of {@code mcp} is now {@code audit}; {@code (audit, job-1)} is unknown, and a task the
 * gateway did not see created binds nobody, so the request is forwarded. The server's reading: job-1 is acme's task, its
 * status and result go to globex (tasks/result and tasks/cancel likewise; A2A tasks and contexts the same).
 *
 * <p>Suggested fix: make the scope independent of which routes exist: key bindings by the normalized origin itself (or a
 * hash of it) rather than by a route name; or, when a reload changes a route's scope, look bindings up under the old scope
 * too (and fail closed - refuse an unknown task - on a route whose scope changed until the retention has passed).
 */
class TaskScopeReloadReviewWTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private TenantTokens tokens;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private Path config;
    private String secret;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answerAsTaskServer("upstream-session");
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/allow-all.yaml"), "name: allow-all\ndefaults: {action: allow}\nrules: []\n");
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (29 + i);
        }
        secret = Base64.getEncoder().encodeToString(key);
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml(""));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private String yaml(String extraRoute) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                  - {name: mcp, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}
                %s""".formatted(dir.resolve("policies"), tokens.identityYaml(), secret, upstream.url("/mcp"), extraRoute);
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        http.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aReloadAddingARouteToTheSameServerDoesNotUnbindEveryTaskAlreadyBound() throws Exception {
        String acme = tokens.token("acme", "planner");
        String globex = tokens.token("globex", "planner");
        String acmeSession = initialize(acme);
        TestHttp.Reply created = send(acme, acmeSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-1");
        String globexSession = initialize(globex);
        TestHttp.Reply before = send(globex, globexSession, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");
        assertThat(before.reason()).as("control: acme's task, before the reload").isEqualTo("task_not_found");

        Files.writeString(config, yaml("  - {name: audit, path: /audit, protocol: mcp, upstream: \"" + upstream.url("/mcp") + "\", policy: allow-all}\n"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        int forwarded = upstream.received().size();
        TestHttp.Reply after = send(globex, globexSession, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(after.status()).as("globex reads acme's task on the same route after the reload: " + after.body()).isEqualTo(404);
        assertThat(after.reason()).isEqualTo("task_not_found");
        assertThat(upstream.received()).as("nothing forwarded").hasSize(forwarded);
    }

    private String initialize(String token) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String token, String session, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("Mcp-Session-Id", session),
                Buffer.buffer(body));
    }
}
