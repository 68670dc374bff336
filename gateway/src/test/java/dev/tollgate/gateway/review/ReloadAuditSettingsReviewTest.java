package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): the audit log and its argument redactor (and Telemetry) are built once, in Gateway.start, from the
 * first configuration; a hot reload swaps the snapshot but never rebuilds them, and Gateway.swap's {@code needRestart}
 * list does not name {@code audit} or {@code telemetry} (it names listeners, admin, budgets, redis, rate-limits, tasks).
 * A reload that adds {@code telemetry.redact: [/api_key]} (README: "replaced by [REDACTED] on spans and in audit records")
 * or that turns the audit log on ({@code audit.directory}) is reported applied, with no restart needed, and the gateway
 * goes on writing the secret into every record with {@code arguments: full}, or forwards calls with no audit record at
 * all. Same for {@code audit.when-full: reject} (calls still pass when records are dropped) and {@code audit.arguments}.
 * Should be: either applied, or named in needRestart (and logged) like the other start-only settings.
 *
 * <p>Fixed: each call records with its snapshot's redaction (GatewaySnapshot.redactor), and a reload changing audit, telemetry or approvals names them in needRestart.
 */
class ReloadAuditSettingsReviewTest {

    private static final String ALLOW = "name: p\ndefaults: {action: allow}\nrules: []\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private TestHttp http;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ALLOW);
        config = dir.resolve("gateway.yaml");
    }

    private void startWith(String extra) throws Exception {
        Files.writeString(config, yaml(extra));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private String yaml(String extra) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                %s
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(extra, upstream.url("/mcp"));
    }

    private ReloadResult reloadTo(String extra) throws Exception {
        Files.writeString(config, yaml(extra));
        return watcher.reloadNow().get(10, TimeUnit.SECONDS);
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
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void call(int id, String apiKey) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"api_key\":\""
                + apiKey + "\",\"q\":\"hello\"}}}";
        assertThat(http.postMcp(gateway.port(), "/mcp", body).json().has("result")).isTrue();
    }

    private JsonNode recordOf(Path audit, int id) throws Exception {
        return AuditLines.awaitFirst(audit, r -> String.valueOf(id).equals(r.path("request_id").asText()));
    }

    @Test
    void control_redactionConfiguredAtStartIsApplied() throws Exception {
        startWith("audit: {directory: audit, arguments: full}\ntelemetry: {redact: [/api_key]}");

        call(1, "sk-live-1");

        assertThat(recordOf(dir.resolve("audit"), 1).path("arguments").path("api_key").asText()).isEqualTo("[REDACTED]");
    }

    @Test
    void redactionAddedByAReloadReportedAppliedIsApplied() throws Exception {
        startWith("audit: {directory: audit, arguments: full}");
        call(1, "sk-live-1");

        ReloadResult result = reloadTo("audit: {directory: audit, arguments: full}\ntelemetry: {redact: [/api_key]}");
        assertThat(result.applied()).isTrue();
        call(2, "sk-live-2");

        JsonNode record = recordOf(dir.resolve("audit"), 2);
        assertThat(record).isNotNull();
        assertThat(result.needRestart().isEmpty() && !"[REDACTED]".equals(record.path("arguments").path("api_key").asText()))
                .as("reload reported applied with needRestart=%s, yet the next record keeps the secret: %s", result.needRestart(),
                        record.path("arguments"))
                .isFalse();
    }

    @Test
    void anAuditLogTurnedOnByAReloadReportedAppliedRecordsTheNextCall() throws Exception {
        startWith("");
        call(1, "x");

        ReloadResult result = reloadTo("audit: {directory: audit}");
        assertThat(result.applied()).isTrue();
        call(2, "x");

        JsonNode record = recordOf(dir.resolve("audit"), 2);
        assertThat(result.needRestart().isEmpty() && record == null)
                .as("reload reported applied with needRestart=%s, yet call 2 reached the upstream (%d request(s)) with no audit record",
                        result.needRestart(), upstream.received().size())
                .isFalse();
    }
}
