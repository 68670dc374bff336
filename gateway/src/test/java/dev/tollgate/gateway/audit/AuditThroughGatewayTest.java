package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tollgate.gateway.support.Cli;

/** Decisions through a running gateway land in the audit log; the log verifies, detects edits, and replays. */
class AuditThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-destructive-shell\n    condition: {all: [{tool: \"shell_*\"}, {arg: {path: /command, matches: \"rm -rf\"}}]}\n    action: deny\n";
    private static final String STRICTER = POLICY + "  - name: no-system-files\n    condition: {all: [{tool: read_file}, {arg: {path: /path, matches: \"^/etc/\"}}]}\n    action: deny\n";

    @TempDir
    Path dir;

    @Test
    void everyDecisionIsRecordedVerifiableAndReplayable() throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        Path auditDir = dir.resolve("audit");
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "p",
                    "audit: {directory: " + auditDir + ", arguments: full}"));
            call(http, gateway, 1, "search", "{\"q\":\"tollgate\"}");
            // The gateway's own tracing is off here: the audit record still carries the caller's trace id.
            http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01"),
                    io.vertx.core.buffer.Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\","
                            + "\"arguments\":{\"command\":\"rm -rf /data\"}}}"));
            call(http, gateway, 3, "read_file", "{\"path\":\"/etc/shadow\"}");
            gateway.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(AuditFiles.file(auditDir, 1))) {
            records.add(JSON.readTree(line));
        }
        assertThat(records).extracting(r -> r.path("tool").asText()).containsExactly("search", "shell_exec", "read_file");
        assertThat(records).extracting(r -> r.path("decision").path("action").asText()).containsExactly("allow", "deny", "allow");
        JsonNode denied = records.get(1);
        assertThat(denied.path("decision").path("rule").asText()).isEqualTo("no-destructive-shell");
        assertThat(denied.path("decision").path("enforced").asBoolean()).isTrue();
        assertThat(denied.path("outcome").path("error").asText()).isEqualTo("policy_denied");
        assertThat(denied.path("route").asText()).isEqualTo("upstream");
        assertThat(denied.path("trace_id").asText()).isEqualTo(TRACE_ID);
        assertThat(denied.path("args_digest").asText()).startsWith("hmac-sha256:").hasSize("hmac-sha256:".length() + 64); // keyed since fix AU
        assertThat(denied.path("arguments").path("command").asText()).isEqualTo("rm -rf /data");
        assertThat(records.get(0).path("upstream_ms").asDouble()).isPositive();

        assertThat(Cli.run("audit", "verify", auditDir.toString()).exit()).isZero();

        Path stricter = Files.createDirectories(dir.resolve("stricter"));
        Files.writeString(stricter.resolve("p.yaml"), STRICTER);
        Cli.Result replay = Cli.run("replay", "--audit", auditDir.toString(), "--policies", stricter.toString());
        assertThat(replay.exit()).isEqualTo(4);
        assertThat(replay.out()).contains("replayed 3 decision(s): 2 unchanged, 1 changed", "ALLOW -> DENY: 1",
                "tools/call read_file: ALLOW (default) -> DENY (no-system-files)");
        assertThat(Cli.run("replay", "--audit", auditDir.toString(), "--policies", policies.toString()).exit()).isZero();

        Path file = AuditFiles.file(auditDir, 1);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).replace("\"action\":\"deny\"", "\"action\":\"allow\""));
        Files.write(file, lines, StandardCharsets.UTF_8);
        Cli.Result broken = Cli.run("audit", "verify", auditDir.toString());
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("BROKEN at " + file + ":2");
    }

    private static void call(TestHttp http, RunningGateway gateway, int id, String tool, String arguments) throws Exception {
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":" + arguments + "}}");
    }
}
