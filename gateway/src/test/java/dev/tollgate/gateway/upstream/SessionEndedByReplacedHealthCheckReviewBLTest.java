package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.policy.Identity;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BL, finding 2 (low-medium; e728cad3 with the reload rule of review AY): a reload that changes a route's
 * health check keeps the old check's verdict (UpstreamInstance.probeStreakForgotten: "the last verdict stands until the
 * new check's probes overturn it", which takes healthy-after good probes, i.e. (healthy-after - 1) intervals). Before
 * fix AB that verdict only kept new calls away; since fix AB it ENDS every session on the instance (404
 * session_not_found: the client drops the session and its state). So an operator who reloads to correct a check that
 * wrongly failed one instance has that instance's sessions ended for up to an interval more, although the serving check
 * has probed the instance good and never failed it. Here: interval 1h, healthy-after 2; the new check's first probe of A
 * is good, and A's session is still refused 404.
 * Should be: SessionStage ends a session only on a verdict of the check now serving (e.g. forget the probed verdict, for
 * this rule, when the check changes, or require that the serving check itself failed the instance).
 */
class SessionEndedByReplacedHealthCheckReviewBLTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream a;
    private RecordingUpstream b;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        a = new RecordingUpstream(vertx);
        b = new RecordingUpstream(vertx);
        // A fails the old probe path (a path only B serves, the operator's mistake); both serve /health and MCP calls.
        a.answer(r -> r.response().setStatusCode(r.path().equals("/old-health") ? 503 : 200).putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"));
        b.answer(r -> r.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("/old-health"));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
        http = new TestHttp(vertx);
    }

    private String yaml(String probePath) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                %s
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    health-check: {interval: 1h, timeout: 5s, probe: http, path: %s, unhealthy-after: 1, healthy-after: 2}
                """.formatted(TestSessions.YAML, a.url("/mcp"), b.url("/mcp"), probePath);
    }

    @AfterEach
    void stop() throws Exception {
        watcher.close();
        http.close();
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        a.close();
        b.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aSessionIsNotEndedOnAVerdictOfAHealthCheckTheReloadReplaced() throws Exception {
        awaitHealthy(a.url("/mcp"), false);
        awaitHealthy(b.url("/mcp"), true);
        String session = TestSessions.sealer().seal("tools", Identity.ANONYMOUS, "session-on-a", a.url("/mcp"), Instant.now());

        // Control: under the old check, A's session is ended (fix AB).
        TestHttp.Reply before = call(session);
        assertThat(before.status()).as(before.body().toString()).isEqualTo(404);

        // The operator corrects the check; the new check's probe of A is good.
        Files.writeString(config, yaml("/health"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received().stream()
                .anyMatch(r -> r.method() == HttpMethod.GET && r.uri().equals("/health")));
        int callsBefore = callsTo(a);

        TestHttp.Reply after = call(session);

        assertThat(after.status()).as("A's session under a check that has only probed A good: " + after.body()).isEqualTo(200);
        assertThat(callsTo(a)).isEqualTo(callsBefore + 1);
    }

    private TestHttp.Reply call(String session) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
    }

    private int callsTo(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.method() == HttpMethod.POST).count();
    }

    private void awaitHealthy(String url, boolean healthy) {
        String gauge = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + url + "\"} " + (healthy ? "1.0" : "0.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.metrics().scrape().contains(gauge));
    }
}
