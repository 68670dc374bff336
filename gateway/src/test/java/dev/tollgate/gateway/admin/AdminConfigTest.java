package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /admin/config}: which configuration a replica serves, as a hash and the effective settings with every
 * secret redacted, and the same hash as the {@code tollgate_config_info} metric label. Two replicas started from the
 * same files agree; a reload that changes a policy changes the hash on both the endpoint and the metric.
 */
class AdminConfigTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final String SESSION_SECRET = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<ReloadWatcher> watchers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                redis: {uri: "redis://default:hunter2-redis@127.0.0.1:6399"}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "http://127.0.0.1:9/mcp", weight: 2}, {url: "http://127.0.0.1:10/mcp"}]
                """.formatted(TOKEN, SESSION_SECRET));
    }

    @AfterEach
    void stop() throws Exception {
        for (ReloadWatcher watcher : watchers) {
            watcher.close();
        }
        for (Gateway gateway : gateways) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void replicasFromTheSameFilesReportOneHashAndNoSecret() throws Exception {
        Gateway first = replica();
        Gateway second = replica();
        TestHttp.Reply reply = config(first, TOKEN);
        assertThat(reply.status()).isEqualTo(200);
        String hash = reply.json().path("hash").asText();
        assertThat(hash).matches("sha256:[0-9a-f]{64}");
        assertThat(config(second, TOKEN).json().path("hash").asText()).isEqualTo(hash);
        JsonNode effective = reply.json().path("config");
        assertThat(effective.path("routes").get(0).path("upstreams").path("endpoints")).hasSize(2);
        assertThat(effective.path("routes").get(0).path("upstreams").path("balance").asText()).isEqualTo("LEAST_REQUESTS");
        // Defaults appear too: this is the configuration as the gateway understood it.
        assertThat(effective.path("limits").path("max-body-bytes").asLong()).isPositive();
        assertThat(reply.json().path("policies").path("p.yaml").asText()).startsWith("sha256:");
        assertThat(reply.body().toString()).doesNotContain(TOKEN).doesNotContain(SESSION_SECRET).doesNotContain("hunter2-redis")
                .contains("redis://<redacted>@127.0.0.1:6399");
        assertThat(effective.path("admin").path("token").asText()).isEqualTo("<redacted>");
        assertThat(effective.path("sessions").path("keys").get(0).path("secret").asText()).isEqualTo("<redacted>");
        assertThat(first.metrics().scrape()).contains("tollgate_config_info{hash=\"" + hash + "\"} 1");
    }

    @Test
    void theEndpointNeedsTheAdminToken() throws Exception {
        Gateway gateway = replica();
        assertThat(config(gateway, null).status()).isEqualTo(401);
        assertThat(config(gateway, "wrong-token-0123456789abcdef").status()).isEqualTo(401);
    }

    @Test
    void aReloadThatChangesAPolicyChangesTheHashEverywhereItIsShown() throws Exception {
        Gateway gateway = replica();
        String before = config(gateway, TOKEN).json().path("hash").asText();
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: deny}\nrules: []\n");
        TestHttp.Reply reload = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/reload").putHeader("Authorization", "Bearer " + TOKEN), Buffer.buffer());
        assertThat(reload.status()).isEqualTo(200);
        String after = config(gateway, TOKEN).json().path("hash").asText();
        assertThat(after).isNotEqualTo(before);
        assertThat(gateway.metrics().scrape()).contains("tollgate_config_info{hash=\"" + after + "\"} 1").doesNotContain(before);
    }

    private Gateway replica() throws Exception {
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        Gateway gateway = Gateway.start(vertx, loader.load(dir.resolve("gateway.yaml")), 1).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        gateways.add(gateway);
        ReloadWatcher watcher = new ReloadWatcher(dir.resolve("gateway.yaml"), gateway, loader);
        gateway.admin().reloader(watcher::reloadNow);
        watchers.add(watcher);
        return gateway;
    }

    private TestHttp.Reply config(Gateway gateway, String token) throws Exception {
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(gateway.adminPort()).setURI("/admin/config");
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        return http.send(options, null);
    }
}
