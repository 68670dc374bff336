package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /reload} on a gateway started from files, wired as {@code tollgate run} wires it: 200 when the
 * new files apply, 422 with the problems when they do not (and the old configuration keeps serving); a call
 * already in flight finishes on the snapshot it started with.
 */
class AdminReloadTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}";
    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";
    private static final String DENY_ECHO = "name: p\ndefaults: {action: allow}\nrules:\n  - name: no-echo\n    condition: {tool: echo}\n    action: deny\n";
    private static final String BROKEN = "name: p\nrules:\n  - name: broken\n    condition: {tool: echo}\n    action: explode\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // No polling: only POST /reload reloads here.
        watcher = new ReloadWatcher(config, gateway, loader);
        gateway.admin().reloader(watcher::reloadNow);
        http = new TestHttp(vertx);
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
    void reloadOfValidFilesAppliesThemAndAnswers200() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), DENY_ECHO);

        TestHttp.Reply reload = reload();

        assertThat(reload.status()).isEqualTo(200);
        assertThat(reload.json().path("applied").asBoolean()).isTrue();
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).reason()).isEqualTo("policy_denied");
    }

    @Test
    void reloadOfAnInvalidFileAnswers422WithTheProblemsAndTheOldConfigurationKeepsServing() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), BROKEN);

        TestHttp.Reply reload = reload();

        assertThat(reload.status()).isEqualTo(422);
        assertThat(reload.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(reload.json().path("applied").isBoolean()).isTrue();
        assertThat(reload.json().path("applied").asBoolean()).isFalse();
        assertThat(reload.json().path("problems")).hasSize(1);
        assertThat(reload.json().path("problems").get(0).asText()).contains("p.yaml:5: rules[0].action: action is allow, deny, audit, approve or redact");
        TestHttp.Reply call = http.postMcp(gateway.port(), "/mcp", CALL);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.json().has("result")).as("the old allow-all policy still serves").isTrue();
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void reloadAnswers404WithoutAReloaderAnd405ForGet() throws Exception {
        TestHttp.Reply get = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/reload"), null);
        gateway.admin().reloader(null);
        TestHttp.Reply without = reload();

        assertThat(get.status()).isEqualTo(405);
        assertThat(without.status()).isEqualTo(404);
    }

    @Test
    void callInFlightDuringAReloadFinishesOnTheSnapshotItStartedWith() throws Exception {
        CompletableFuture<HttpServerRequest> held = new CompletableFuture<>();
        upstream.answer(held::complete);
        CompletableFuture<TestHttp.Reply> list = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(gateway.port(), "/mcp", LIST);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpServerRequest upstreamRequest = held.get(10, TimeUnit.SECONDS);

        Files.writeString(dir.resolve("policies/p.yaml"), DENY_ECHO);
        assertThat(reload().status()).isEqualTo(200);
        upstreamRequest.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"echo\"},{\"name\":\"search\"}]}}");
        TestHttp.Reply inFlight = list.get(10, TimeUnit.SECONDS);

        assertThat(inFlight.status()).isEqualTo(200);
        assertThat(inFlight.json().path("result").path("tools").findValuesAsText("name"))
                .as("listed under the allow-all policy it started with").containsExactly("echo", "search");
        // A list started after the reload is filtered by the new policy.
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"echo\"},{\"name\":\"search\"}]}}"));
        assertThat(http.postMcp(gateway.port(), "/mcp", LIST).json().path("result").path("tools").findValuesAsText("name"))
                .containsExactly("search");
    }

    private TestHttp.Reply reload() throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/reload"), Buffer.buffer());
    }
}
