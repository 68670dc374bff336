package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BB, against two real A2A JS SDK agents (a2a/echo-agent.mjs): a route's task scope is named from its FIRST
 * instance only (TaskScopes, fix R). A reload that removes that first instance (scaling in) or reorders the route's
 * instances renames the scope, so every task binding of the route (owner and instance) is under a key nobody reads:
 * TaskOwnershipStage finds no origin for acme's task and lets another tenant read it. Fix R's report says "the owner
 * is still checked" for tasks whose instance left; here the task's instance did not even leave.
 */
class TaskOwnershipAcrossScaleInReviewBBTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer a;
    private NodeServer b;
    private TenantTokens tokens;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        a = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        b = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url(""), b.url(""))));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
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
    void scalingInTheFirstInstanceKeepsTheOwnershipOfTasksOnTheOthers() throws Exception {
        List<String> tasks = acmeTasksOnBothInstances();
        assertThat(readsByAnother(tasks)).as("before the reload, evil reads none of acme's tasks").isEmpty();

        reload("upstreams: [{url: \"%s\"}]".formatted(b.url("")));

        assertThat(acmeReads(tasks)).as("acme still reads its task on the remaining instance").isNotEmpty();
        assertThat(readsByAnother(tasks)).as("after the route dropped its first instance, evil reads acme's tasks").isEmpty();
    }

    @Test
    void reorderingTheRoutesInstancesKeepsTheOwnershipOfItsTasks() throws Exception {
        List<String> tasks = acmeTasksOnBothInstances();
        assertThat(readsByAnother(tasks)).as("before the reload, evil reads none of acme's tasks").isEmpty();

        reload("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(b.url(""), a.url("")));

        assertThat(acmeReads(tasks)).as("acme still reads its tasks").hasSize(2);
        assertThat(readsByAnother(tasks)).as("after the reload listed the same instances in another order, evil reads acme's tasks").isEmpty();
    }

    /** Two tasks of acme's, round-robin puts one on each instance. */
    private List<String> acmeTasksOnBothInstances() throws Exception {
        String acme = tokens.token("acme", "a");
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode sent = rpc(acme, "SendMessage",
                    "{\"message\":{\"messageId\":\"m-" + i + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"secret " + i + "\"}]}}");
            String task = sent.at("/result/task/id").asText();
            assertThat(task).as("the task was created: " + sent).isNotEmpty();
            tasks.add(task);
        }
        return tasks;
    }

    private void reload(String upstreamYaml) throws Exception {
        Files.writeString(config, yaml(upstreamYaml));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();
    }

    private List<String> acmeReads(List<String> tasks) throws Exception {
        return reads(tokens.token("acme", "a"), tasks);
    }

    private List<String> readsByAnother(List<String> tasks) throws Exception {
        return reads(tokens.token("evil", "e"), tasks);
    }

    /** The tasks the caller got back (each asked twice, so both instances of a balanced route are tried). */
    private List<String> reads(String axid, List<String> tasks) throws Exception {
        List<String> read = new ArrayList<>();
        for (String task : tasks) {
            for (int i = 0; i < 2; i++) {
                JsonNode got = rpc(axid, "GetTask", "{\"id\":\"" + task + "\"}");
                if (!got.has("error") && task.equals(got.at("/result/id").asText())) {
                    read.add(task);
                    break;
                }
            }
        }
        return read;
    }

    private JsonNode rpc(String axid, String method, String params) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/agents/echo/a2a/jsonrpc"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .header("Accept", "application/json").header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build();
        return JSON.readTree(client.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private String yaml(String upstreamYaml) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - name: echo-agent
                    path: /agents/echo
                    protocol: a2a
                    policy: p
                %s
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), upstreamYaml.indent(4).stripTrailing());
    }
}
