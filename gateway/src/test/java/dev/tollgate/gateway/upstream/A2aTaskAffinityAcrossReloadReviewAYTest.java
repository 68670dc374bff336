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
 * Review AY, finding 1 on A2A routes, against two real A2A JS SDK agents (a2a/echo-agent.mjs, each with its own in-memory
 * task store): a task created while the route had one instance is bound without its instance (A2aTaskLearner:
 * {@code affinity = endpoints().size() > 1}), so after a reload adds a second instance its {@code GetTask} follow-ups are
 * balanced, and every other one reaches the agent that never had the task: "task not found" for a task that exists.
 * Fix: as for MCP sessions and tasks, always bind the answering instance.
 */
class A2aTaskAffinityAcrossReloadReviewAYTest {

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
        Files.writeString(config, yaml("upstream: \"" + a.url("") + "\""));
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
    void aTaskCreatedBeforeTheRouteScaledOutIsStillFoundThroughIt() throws Exception {
        String acme = tokens.token("acme", "a");
        JsonNode sent = rpc(acme, "SendMessage",
                "{\"message\":{\"messageId\":\"m-1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hello\"}]}}");
        String task = sent.at("/result/task/id").asText();
        assertThat(task).as("the task was created: " + sent).isNotEmpty();

        Files.writeString(config, yaml("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url(""), b.url(""))));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode got = rpc(acme, "GetTask", "{\"id\":\"" + task + "\"}");
            answers.add(got.has("error") ? "error " + got.get("error") : "task " + got.at("/result/id").asText());
        }
        assertThat(answers).as("GetTask of acme's task after the route scaled out").containsOnly("task " + task);
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
