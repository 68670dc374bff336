package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BG, finding 3 (medium: a caller's concurrency slot held for an hour after an ordinary reload): 8c77ae57 keeps
 * task bindings under every key of the route's task scope, so a reload that reorders (or removes) the route's first
 * instance keeps its tasks' owners. The running-task slots (RunningTasks, ConcurrencyStage.taskStarted/handOverToTasks)
 * are still keyed by the scope's name alone. A task that started before such a reload and is seen to end after it is
 * ended under the new name: nothing is found there (it is noted "ended early" instead), and the slot taken under the old
 * name stays held until RunningTasks.LONGEST_HOLD (1 h). A caller with {@code max-concurrent-calls-per-caller: 1} is
 * refused 429 for the hour although its only task is done.
 *
 * <p>Input: A2A route with two instances (two agents on different ports, each answering SendMessage with a working task
 * and GetTask with it completed), {@code max-concurrent-calls-per-caller: 1}. acme sends a message (task working: its
 * slot is held); the configuration is reloaded with the same two instances in the other order; acme's GetTask shows the
 * task completed; acme sends another message.
 *
 * <p>Suggested fix: key the running-task slots (and the other per-task state keyed by {@code taskScope().name()}: deferred
 * costs, progress tokens) like the bindings, ending or looking up under every key of the scope (or under a key that a
 * rename does not change, e.g. the binding's own identity from TaskOrigins).
 */
class RunningTaskSlotAcrossScopeRenameReviewBGTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream a;
    private RecordingUpstream b;
    private TenantTokens tokens;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        a.answer(request -> agent(a, request));
        b.answer(request -> agent(b, request));
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml(a.url(""), b.url("")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    /** An agent: SendMessage makes a working task named after the message, GetTask shows that task completed. */
    private static void agent(RecordingUpstream upstream, HttpServerRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
        } catch (java.io.IOException e) {
            request.response().setStatusCode(400).end();
            return;
        }
        String method = body.path("method").asText();
        String task;
        String state;
        if ("GetTask".equals(method)) {
            task = body.at("/params/id").asText();
            state = "TASK_STATE_COMPLETED";
        } else {
            task = "task-" + body.at("/params/message/messageId").asText();
            state = "TASK_STATE_WORKING";
        }
        request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + body.path("id")
                + ",\"result\":{\"task\":{\"id\":\"" + task + "\",\"contextId\":\"ctx-" + task + "\",\"status\":{\"state\":\""
                + state + "\"}}}}");
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        a.close();
        b.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTaskEndedAfterAReloadReorderingTheInstancesGivesItsSlotBack() throws Exception {
        String acme = tokens.token("acme", "a");
        HttpResponse<String> first = send(acme, "m1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String task = JSON.readTree(first.body()).at("/result/task/id").asText();
        assertThat(task).isEqualTo("task-m1");
        HttpResponse<String> whileRunning = send(acme, "m2");
        assertThat(whileRunning.statusCode()).as("control: the running task holds acme's only slot").isEqualTo(429);

        Files.writeString(config, yaml(b.url(""), a.url("")));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        HttpResponse<String> got = rpc(acme, "GetTask", "{\"id\":\"" + task + "\"}");
        assertThat(got.body()).as("acme reads its task, completed").contains("TASK_STATE_COMPLETED");

        HttpResponse<String> after = send(acme, "m3");
        assertThat(after.statusCode()).as("acme's task is done: its slot is back; " + after.body()).isEqualTo(200);
    }

    /** Control: a reload that keeps the instances' order (the scope's name) lets the ended task give its slot back. */
    @Test
    void aReloadKeepingTheOrderLetsTheEndedTaskGiveItsSlotBack() throws Exception {
        String acme = tokens.token("acme", "a");
        assertThat(send(acme, "m1").statusCode()).isEqualTo(200);
        assertThat(send(acme, "m2").statusCode()).isEqualTo(429);
        Files.writeString(config, yaml(a.url(""), b.url("")).replace("policy: p", "policy: p\n    response-timeout: 29s"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        assertThat(rpc(acme, "GetTask", "{\"id\":\"task-m1\"}").body()).contains("TASK_STATE_COMPLETED");

        HttpResponse<String> after = send(acme, "m3");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    /** Control: without the reload, the completed task gives its slot back. */
    @Test
    void withoutAReloadTheEndedTaskGivesItsSlotBack() throws Exception {
        String acme = tokens.token("acme", "a");
        HttpResponse<String> first = send(acme, "m1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(send(acme, "m2").statusCode()).isEqualTo(429);

        assertThat(rpc(acme, "GetTask", "{\"id\":\"task-m1\"}").body()).contains("TASK_STATE_COMPLETED");

        HttpResponse<String> after = send(acme, "m3");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    private HttpResponse<String> send(String axid, String messageId) throws Exception {
        return rpc(axid, "SendMessage", "{\"message\":{\"messageId\":\"" + messageId + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"crawl\"}]},"
                + "\"configuration\":{\"returnImmediately\":true}}");
    }

    private HttpResponse<String> rpc(String axid, String method, String params) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/agent/a2a/jsonrpc"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .header("Accept", "application/json").header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String yaml(String first, String second) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - name: agent
                    path: /agent
                    protocol: a2a
                    policy: p
                    max-concurrent-calls-per-caller: 1
                    upstreams: [{url: "%s"}, {url: "%s"}]
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), first, second);
    }
}
