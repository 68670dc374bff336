package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BG (fix Z): a task's progress token (the one its creating tools/call gave) holds its tasks/result stream to that
 * token: progress naming another call's token is dropped. The token was kept under the task scope's name alone, so after
 * a reload reordering the route's instances (renaming the scope) it was not found, and the stream was held to no token:
 * another call's progress reached the client on it. Kept under every key of the scope, it is found.
 *
 * <p>Input: MCP route with two instances. tools/call with {@code progressToken: 5} is answered with task t-1; the
 * configuration is reloaded with the instances in the other order (or not: control); tasks/result on t-1 streams
 * progress for token 99 (another call's), progress for token 5 and the result.
 */
class TaskProgressTokenAcrossScopeRenameTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream a;
    private RecordingUpstream b;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;
    /** What both instances answer next: the body, with "id":ID replaced by the request's id, and its content type. */
    private final AtomicReference<String[]> answer = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        a.answer(request -> scripted(a, request));
        b.answer(request -> scripted(b, request));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml(a.url("/mcp"), b.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private void scripted(RecordingUpstream upstream, HttpServerRequest request) {
        String body = upstream.received().get(upstream.received().size() - 1).body().toString(StandardCharsets.UTF_8);
        if (!body.contains("\"method\"")) {
            request.response().setStatusCode(202).end();
            return;
        }
        String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
        String[] scripted = answer.get();
        request.response().putHeader("Content-Type", scripted[1]).end(scripted[0].replace("\"id\":ID", "\"id\":" + id));
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        http.close();
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        a.close();
        b.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void afterAReloadReorderingTheInstancesTheTasksStreamIsStillHeldToItsToken() throws Exception {
        assertThat(taskResultStream(true)).contains("\"done\"", "half way").doesNotContain("another call");
    }

    /** Control: without the reload, the same stream carries the task's progress and not another call's. */
    @Test
    void withoutAReloadTheTasksStreamIsHeldToItsToken() throws Exception {
        assertThat(taskResultStream(false)).contains("\"done\"", "half way").doesNotContain("another call");
    }

    private String taskResultStream(boolean reorder) throws Exception {
        answer.set(new String[] {"{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"task\":{\"taskId\":\"t-1\",\"status\":\"working\","
                + "\"createdAt\":\"2025-11-25T00:00:00Z\",\"lastUpdatedAt\":\"2025-11-25T00:00:00Z\",\"ttl\":60000}}}", "application/json"});
        String created = post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{},"
                + "\"task\":{\"ttl\":60000},\"_meta\":{\"progressToken\":5}}}");
        assertThat(created).as(created).contains("\"t-1\"");
        if (reorder) {
            Files.writeString(config, yaml(b.url("/mcp"), a.url("/mcp")));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
        }
        answer.set(new String[] {
                "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":99,"
                        + "\"progress\":1,\"message\":\"another call\"}}\n\n"
                        + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":5,"
                        + "\"progress\":1,\"total\":2,\"message\":\"half way\",\"_meta\":{\"io.modelcontextprotocol/related-task\":{\"taskId\":\"t-1\"}}}}\n\n"
                        + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}\n\n",
                "text/event-stream"});
        return post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"t-1\"}}");
    }

    private String post(String json) throws Exception {
        return http.postMcp(gateway.port(), "/mcp", json).body().toString();
    }

    private String yaml(String first, String second) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: upstream
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "%s"}, {url: "%s"}]
                """.formatted(dir.resolve("policies"), first, second);
    }
}
