package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who reaches the admin port, on a gateway started from files with {@code admin.token} and wired as
 * {@code tollgate run} wires it: the Host/Origin guard (probes exempt), the bearer token on /explain and
 * /reload, and for every refusal the exact answer and that nothing was reloaded or explained.
 */
class AdminAccessTest {

    private static final String TOKEN = "s3cret-admin-token-0123456789abcdef";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";
    private static final String DENY_ECHO = "name: p\ndefaults: {action: allow}\nrules:\n  - name: no-echo\n    condition: {tool: echo}\n    action: deny\n";
    private static final String EXPLAIN = "{\"route\":\"r\",\"call\":{\"tool\":\"echo\"}}";

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
                admin: {host: 127.0.0.1, port: 0, token: %s}
                policies: {directory: policies}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(TOKEN, upstream.url("/mcp")));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader);
        gateway.admin().reloader(watcher::reloadNow);
        http = new TestHttp(vertx);
        // The policy on disk now denies echo: a reload that happens would make the call below denied.
        Files.writeString(dir.resolve("policies/p.yaml"), DENY_ECHO);
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
    void reloadWithTheTokenApplies() throws Exception {
        TestHttp.Reply reload = admin(HttpMethod.POST, "/reload", "Bearer " + TOKEN, null, null, "");

        assertThat(reload.status()).isEqualTo(200);
        assertThat(reload.json().path("applied").asBoolean()).isTrue();
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).reason()).isEqualTo("policy_denied");
    }

    @Test
    void reloadWithoutATokenIs401AndReloadsNothing() throws Exception {
        GatewaySnapshot before = gateway.snapshot();

        TestHttp.Reply reload = admin(HttpMethod.POST, "/reload", null, null, null, "");

        assertRefused(reload, 401, "admin_token_missing", "Authorization: Bearer");
        assertThat(reload.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"tollgate-admin\"");
        assertNothingReloaded(before);
    }

    @Test
    void reloadWithAWrongTokenIs401AndReloadsNothing() throws Exception {
        GatewaySnapshot before = gateway.snapshot();

        TestHttp.Reply wrong = admin(HttpMethod.POST, "/reload", "Bearer " + TOKEN + "x", null, null, "");
        TestHttp.Reply basic = admin(HttpMethod.POST, "/reload", "Basic " + TOKEN, null, null, "");
        TestHttp.Reply bareToken = admin(HttpMethod.POST, "/reload", TOKEN, null, null, "");

        assertRefused(wrong, 401, "admin_token_invalid", "does not match admin.token");
        assertThat(wrong.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"tollgate-admin\", error=\"invalid_token\"");
        assertRefused(basic, 401, "admin_token_missing", "Authorization: Bearer");
        assertRefused(bareToken, 401, "admin_token_missing", "Authorization: Bearer");
        assertNothingReloaded(before);
    }

    @Test
    void reloadFromAForeignHostIs403EvenWithTheTokenAndReloadsNothing() throws Exception {
        GatewaySnapshot before = gateway.snapshot();

        TestHttp.Reply reload = admin(HttpMethod.POST, "/reload", "Bearer " + TOKEN, "rebound.attacker.example:9090", null, "");

        assertRefused(reload, 403, "forbidden_host", "Host header not allowed; add it to admin.allowed-hosts");
        assertNothingReloaded(before);
    }

    @Test
    void reloadFromAForeignOriginIs403EvenWithTheTokenAndReloadsNothing() throws Exception {
        GatewaySnapshot before = gateway.snapshot();

        TestHttp.Reply reload = admin(HttpMethod.POST, "/reload", "Bearer " + TOKEN, null, "https://attacker.example", "");

        assertRefused(reload, 403, "forbidden_origin", "Origin not allowed; add it to admin.allowed-origins");
        assertNothingReloaded(before);
    }

    @Test
    void explainNeedsTheTokenAndAnAllowedHostAndOrigin() throws Exception {
        TestHttp.Reply ok = admin(HttpMethod.POST, "/explain", "bearer " + TOKEN, "localhost:9090", "http://localhost:3000", EXPLAIN);
        TestHttp.Reply missing = admin(HttpMethod.POST, "/explain", null, null, null, EXPLAIN);
        TestHttp.Reply wrong = admin(HttpMethod.POST, "/explain", "Bearer nope-nope-nope-nope-nope", null, null, EXPLAIN);
        TestHttp.Reply foreignHost = admin(HttpMethod.POST, "/explain", "Bearer " + TOKEN, "evil.example", null, EXPLAIN);
        TestHttp.Reply foreignOrigin = admin(HttpMethod.POST, "/explain", "Bearer " + TOKEN, null, "http://evil.example", EXPLAIN);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("action").asText()).isEqualTo("allow");
        assertRefused(missing, 401, "admin_token_missing", "Authorization: Bearer");
        assertRefused(wrong, 401, "admin_token_invalid", "does not match admin.token");
        assertRefused(foreignHost, 403, "forbidden_host", "admin.allowed-hosts");
        assertRefused(foreignOrigin, 403, "forbidden_origin", "admin.allowed-origins");
        String metrics = admin(HttpMethod.GET, "/metrics", null, null, null, null).body().toString();
        assertThat(metrics)
                .contains("tollgate_admin_rejects_total{reason=\"admin_token_missing\"} 1.0")
                .contains("tollgate_admin_rejects_total{reason=\"admin_token_invalid\"} 1.0")
                .contains("tollgate_admin_rejects_total{reason=\"forbidden_host\"} 1.0")
                .contains("tollgate_admin_rejects_total{reason=\"forbidden_origin\"} 1.0");
    }

    @Test
    void probesAnswerAnyHostButMetricsAndTheRestAreGuarded() throws Exception {
        String podIp = "10.42.7.19:9090";

        TestHttp.Reply health = admin(HttpMethod.GET, "/healthz", null, podIp, null, null);
        TestHttp.Reply ready = admin(HttpMethod.GET, "/readyz", null, podIp, null, null);
        TestHttp.Reply metricsFromPodIp = admin(HttpMethod.GET, "/metrics", null, podIp, null, null);
        TestHttp.Reply unknownFromPodIp = admin(HttpMethod.GET, "/nope", null, podIp, null, null);
        TestHttp.Reply metrics = admin(HttpMethod.GET, "/metrics", null, "localhost:9090", null, null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        assertThat(ready.status()).isEqualTo(200);
        assertRefused(metricsFromPodIp, 403, "forbidden_host", "admin.allowed-hosts");
        assertRefused(unknownFromPodIp, 403, "forbidden_host", "admin.allowed-hosts");
        assertThat(metrics.status()).as("metrics need no token").isEqualTo(200);
        assertThat(metrics.body().toString()).contains("tollgate_admin_rejects_total{reason=\"forbidden_host\"} 2.0");
    }

    private void assertNothingReloaded(GatewaySnapshot before) throws Exception {
        assertThat(gateway.snapshot()).as("the snapshot was not swapped").isSameAs(before);
        TestHttp.Reply call = http.postMcp(gateway.port(), "/mcp", CALL);
        assertThat(call.json().has("result")).as("the old allow-all policy still serves").isTrue();
        assertThat(upstream.received()).hasSize(1);
    }

    static void assertRefused(TestHttp.Reply reply, int status, String reason, String message) {
        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(reply.json().path("reason").asText()).isEqualTo(reason);
        assertThat(reply.json().path("error").asText()).contains(message);
        assertThat(reply.json().has("action")).as("nothing explained").isFalse();
        assertThat(reply.json().has("applied")).as("nothing reloaded").isFalse();
    }

    private TestHttp.Reply admin(HttpMethod method, String path, String authorization, String host, String origin, String body)
            throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path);
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        if (host != null) {
            options.putHeader("Host", host);
        }
        if (origin != null) {
            options.putHeader("Origin", origin);
        }
        if (body != null && !body.isEmpty()) {
            options.putHeader("Content-Type", "application/json");
        }
        return http.send(options, body == null ? null : Buffer.buffer(body));
    }
}
