package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: a record's {@code time} is taken when the call ends ({@code CompletionRecorder.record}: {@code Instant.now()}),
 * not when it was decided, and {@code tollgate replay} decides {@code time:} conditions at that time ("each record is
 * re-decided with the call, identity and time it was recorded with"). A call decided at minute M whose answer comes after
 * minute M+1 began (a slow tool, a held approval, a long stream) is replayed as if decided at M+1: here the very policy
 * that allowed it replays it as denied. With a new policy the same shift reports "unchanged" for calls the live gateway
 * would decide otherwise.
 *
 * <p>The upstream answers once the next minute has begun (at most about 63 s): the test's only way to put a minute
 * boundary between the decision and the end of the call.
 */
class ReplayRecordTimeReviewBDTest {

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void theSamePolicyReplaysItsOwnDecisionUnchanged() throws Exception {
        // The window opens at the first minute boundary at least 3 s away: the call is decided before it.
        Instant opens = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String policy = """
                name: p
                defaults: {action: allow}
                rules:
                  - name: not-in-this-window
                    condition: {all: [{tool: report}, {time: {after: "%s", before: "%s", zone: UTC}}]}
                    action: deny
                """.formatted(HH_MM.format(opens), HH_MM.format(opens.plus(1, ChronoUnit.MINUTES)));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), policy);
        Path auditDir = dir.resolve("audit");
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            upstream.answer(request -> {
                long wait = Math.max(1, opens.plusMillis(500).toEpochMilli() - System.currentTimeMillis());
                vertx.setTimer(wait, t -> request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
            });
            RunningGateway gateway = RunningGateway.start(vertx, """
                    listeners: [{name: public, host: 127.0.0.1, port: 0}]
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: %s}
                    audit: {directory: %s, arguments: full}
                    routes:
                      - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p, response-timeout: 120s}
                    """.formatted(policies, auditDir, upstream.url("/mcp")));
            // Not TestHttp: its 30 s request timeout is shorter than the wait for the next minute.
            java.net.http.HttpResponse<String> reply = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/mcp"))
                            .timeout(Duration.ofSeconds(110)).header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            gateway.close(); // drains the audit log
            assertThat(reply.body()).as("control: decided before the window opened, allowed").doesNotContain("\"error\"");
            assertThat(upstream.received()).hasSize(1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }

        List<String> lines = Files.readAllLines(AuditFiles.file(auditDir, 1));
        assertThat(lines).hasSize(1);
        JsonNode record = new ObjectMapper().readTree(lines.get(0));
        assertThat(record.path("decision").path("action").asText()).isEqualTo("allow");
        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(auditDir),
                PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults()), null);
        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged())
                .as("the policy that allowed the call, replayed over its own record (decided before " + opens + ", recorded at "
                        + record.path("time").asText() + ")\n" + report.render())
                .isEqualTo(1);
    }
}
