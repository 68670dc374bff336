package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWKS refresh thread lives as long as a configuration uses its URL: it ends with the gateway, or with a reload that drops it. */
class RemoteJwksLifecycleTest {

    @TempDir
    Path dir;
    Vertx vertx;
    HttpServer jwks;
    RecordingUpstream upstream;
    URI url;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        String keys = new JWKSet(DevAxid.newKey("k1").toPublicJWK()).toString();
        jwks = vertx.createHttpServer().requestHandler(r -> r.response().putHeader("Content-Type", "application/json").end(keys));
        int port = jwks.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        url = URI.create("http://127.0.0.1:" + port + "/jwks");
        upstream = new RecordingUpstream(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String yaml(boolean withJwksUrl) {
        return yaml(withJwksUrl ? "" : null);
    }

    /** With the JWKS URL and these extra settings (null: no AXID at all). */
    private String yaml(String keySettings) {
        return RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all", keySettings != null
                ? "identity: {axid: {jwks-url: \"" + url + "\", " + keySettings + "issuer: \"" + AxidTokens.ISSUER + "\", audience: "
                        + AxidTokens.AUDIENCE + "}}"
                : "");
    }

    private boolean refreshThreadAlive() {
        return !refreshThreads().isEmpty();
    }

    private java.util.List<Thread> refreshThreads() {
        String name = RemoteJwks.threadName(url);
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name)).toList();
    }

    @Test
    void refreshThreadStopsWhenTheGatewayCloses() throws Exception {
        RunningGateway gateway = RunningGateway.start(vertx, yaml(true));
        assertThat(refreshThreadAlive()).as("the refresh timer runs while the gateway serves").isTrue();

        gateway.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> !refreshThreadAlive());
    }

    @Test
    void refreshThreadStopsWhenAReloadNoLongerUsesTheUrl() throws Exception {
        try (SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults())) {
            loader.compile(ConfigLoader.parse(yaml(true), "test.yaml", Map.of()));
            assertThat(refreshThreadAlive()).isTrue();

            loader.compile(ConfigLoader.parse(yaml(false), "test.yaml", Map.of()));

            await().atMost(Duration.ofSeconds(5)).until(() -> !refreshThreadAlive());
        }
    }

    @Test
    void refreshThreadSurvivesAReloadThatKeepsTheUrl() throws Exception {
        try (SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults())) {
            loader.compile(ConfigLoader.parse(yaml(true), "test.yaml", Map.of()));
            loader.compile(ConfigLoader.parse(yaml(true), "test.yaml", Map.of()));

            assertThat(refreshThreadAlive()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !refreshThreadAlive());
    }

    @Test
    void aReloadThatChangesTheKeySettingsReplacesTheSourceSoTheyApply() throws Exception {
        try (SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults())) {
            loader.compile(ConfigLoader.parse(yaml("jwks-max-stale: 2h, "), "test.yaml", Map.of()));
            java.util.List<Thread> before = refreshThreads();
            assertThat(before).hasSize(1);

            loader.compile(ConfigLoader.parse(yaml("jwks-max-stale: 3h, "), "test.yaml", Map.of()));

            await().atMost(Duration.ofSeconds(5)).until(() -> !before.get(0).isAlive());
            assertThat(refreshThreads()).as("one source, a new one, refreshing with the new settings").hasSize(1)
                    .doesNotContain(before.get(0));
        }
    }
}
