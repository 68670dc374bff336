package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BG finding 2 with {@code tasks: {store: redis}} (fix Z): the send's deferred cost is shared through Redis (this
 * replica's copy dropped once the store holds it), filed under every key of the task's scope; after a reload reordering
 * the route's instances, the GetTask showing the task completed takes it from the store under the renamed scope and the
 * caller pays the reported $0.75. Same sequence as {@link DeferredTaskCostAcrossScopeRenameReviewBGTest}.
 */
class DeferredTaskCostAcrossScopeRenameSharedStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream a;
    private RecordingUpstream b;
    private ReviewYBudgetWorld world;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;
    private RedisServer redis;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        a.answer(request -> agent(a, request));
        b.answer(request -> agent(b, request));
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, """
                reported-cost: /task/metadata/cost_usd
                routes:
                  agent:
                    default: 0.30
                """, "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml(a.url(""), b.url("")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private static void agent(RecordingUpstream upstream, HttpServerRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
        } catch (java.io.IOException e) {
            request.response().setStatusCode(400).end();
            return;
        }
        String result;
        if ("SendMessage".equals(body.path("method").asText())) {
            String n = body.at("/params/message/messageId").asText();
            result = "{\"task\":{\"id\":\"task-" + n + "\",\"contextId\":\"ctx-" + n + "\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}";
        } else {
            String task = body.at("/params/id").asText();
            result = "{\"id\":\"" + task + "\",\"contextId\":\"ctx-" + task.substring(5) + "\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"},"
                    + "\"artifacts\":[{\"artifactId\":\"a1\",\"parts\":[{\"text\":\"report\"}]}],\"metadata\":{\"cost_usd\":0.75}}";
        }
        request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.path("id") + ",\"result\":" + result + "}");
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
        redis.close();
    }

    @Test
    void aTaskFinishedAfterAReloadReorderingTheInstancesPaysItsReportedCost() throws Exception {
        assertThat(taskFinishedLaterSpends("tree-reordered", true)).as("the task reported $0.75").isEqualTo(750_000L);
    }

    /** Control: without the reload, the same sequence charges the reported $0.75. */
    @Test
    void withoutAReloadTheTaskPaysItsReportedCost() throws Exception {
        assertThat(taskFinishedLaterSpends("tree-plain", false)).isEqualTo(750_000L);
    }

    private long taskFinishedLaterSpends(String tree, boolean reorder) throws Exception {
        String token = world.token("acme", tree, "run-1");
        TestHttp.Reply sent = rpc(token, 1, "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\","
                + "\"parts\":[{\"text\":\"research\"}]},\"configuration\":{\"returnImmediately\":true}}");
        assertThat(sent.body().toString()).as(sent.body().toString()).contains("TASK_STATE_WORKING");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (spent(tree) < 300_000L && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(spent(tree)).as("control: the estimate is charged").isEqualTo(300_000L);
        if (reorder) {
            Files.writeString(config, yaml(b.url(""), a.url("")));
            ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
            assertThat(result.applied()).as(result.toString()).isTrue();
        }
        TestHttp.Reply got = rpc(token, 2, "GetTask", "{\"id\":\"task-m1\"}");
        assertThat(got.body().toString()).as(got.body().toString()).contains("TASK_STATE_COMPLETED").contains("\"cost_usd\":0.75");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (spent(tree) < 750_000L && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return spent(tree);
    }

    private long spent(String tree) throws Exception {
        return gateway.services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }

    private TestHttp.Reply rpc(String token, int id, String method, String params) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token).putHeader("A2A-Version", "1.0");
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private String yaml(String first, String second) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                budgets: {pricing: %s, cache-ttl: 1s}
                tasks: {store: redis}
                redis: {uri: "%s", timeout: 2s}
                routes:
                  - name: agent
                    path: /agent
                    protocol: a2a
                    policy: p
                    upstreams: [{url: "%s"}, {url: "%s"}]
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ReviewYBudgetWorld.ISSUER, ReviewYBudgetWorld.AUDIENCE,
                dir.resolve("pricing.yaml"), redis.uri(), first, second);
    }
}
