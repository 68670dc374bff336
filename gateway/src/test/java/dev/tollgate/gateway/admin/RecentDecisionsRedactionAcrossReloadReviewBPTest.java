package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BP: the admin page's recent decisions ({@code GET /admin/decisions}) keep each call's arguments as parsed and
 * redact them only when read, with the {@code telemetry.redact} of the snapshot serving at the time of the read
 * (AdminUi.decisions). A call made while {@code telemetry.redact: [/password]} was in force had its password replaced by
 * {@code [REDACTED]} on its span and in its audit record; after a reload that changes the redaction list (here: the
 * operator moves it to {@code /secret}), the same call's password is served in clear to the admin page, which the README
 * says keeps a call's arguments "redacted by telemetry.redact". What a call's record shows must not depend on a later
 * reload: the arguments should be redacted under the snapshot that decided the call, when recorded.
 */
class RecentDecisionsRedactionAcrossReloadReviewBPTest {

    private static final String TOKEN = "recent-decisions-token-0123456789";
    private static final String PASSWORD = "hunter2-db-password-9a1";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway gateway;
    private ReloadWatcher watcher;

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String yaml(String redact) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                telemetry: {redact: ["%s"]}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redact, upstream.url("/mcp"));
    }

    private TestHttp.Reply decisions() throws Exception {
        return http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/admin/decisions").putHeader("Authorization", "Bearer " + TOKEN), null);
    }

    @Test
    void aReloadDoesNotUnredactArgumentsOfCallsAlreadyRecorded() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("/password"));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader);

        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"connect\","
                + "\"arguments\":{\"host\":\"db.internal\",\"password\":\"" + PASSWORD + "\"}}}");
        // Recorded once the call's response has ended: read until it is there. Under /password it is redacted.
        await().atMost(Duration.ofSeconds(5)).until(() -> decisions().body().toString().contains("db.internal"));
        assertThat(decisions().body().toString()).doesNotContain(PASSWORD).contains("[REDACTED]");

        // The operator changes the redaction list (another tool's field); the call above was made, spanned and audited
        // under /password.
        Files.writeString(config, yaml("/secret"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.problems().toString()).isTrue();

        TestHttp.Reply after = decisions();
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body().toString()).contains("db.internal");
        assertThat(after.body().toString()).as("the earlier call's arguments after the reload").doesNotContain(PASSWORD);
    }
}
