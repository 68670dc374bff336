package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: a 2026-07-28 {@code subscriptions/listen} is decided live once per resource it watches, as the listen naming
 * that resource and as the {@code resources/subscribe} of it (review AU), one refusal refusing the listen. A listen nothing
 * refused is recorded as the call it is, naming no resource, and {@code tollgate replay} re-decides only that: a new
 * {@code resource:} rule the live gateway refuses the listen with is replayed as "unchanged".
 */
class ReplayListenResourcesReviewBDTest {

    private static final String OLD = "name: p\ndefaults: {action: allow}\nrules: []\n";
    private static final String NEW = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-vault
                condition: {resource: "file:///vault/*"}
                action: deny
            """;
    private static final String LISTEN = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\",\"params\":"
            + "{\"notifications\":{\"resourceSubscriptions\":[\"file:///vault/keys\"]}}}";

    @TempDir
    Path dir;

    @Test
    void aListenTheNewPolicyRefusesLiveIsReplayedAsChanged() throws Exception {
        Path oldPolicies = Files.createDirectories(dir.resolve("old"));
        Files.writeString(oldPolicies.resolve("p.yaml"), OLD);
        Path newPolicies = Files.createDirectories(dir.resolve("new"));
        Files.writeString(newPolicies.resolve("p.yaml"), NEW);
        Path auditDir = dir.resolve("audit");
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            RunningGateway recording = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), oldPolicies, "p",
                    "audit: {directory: " + auditDir + ", arguments: full}"));
            http.postMcp(recording.port(), "/mcp", LISTEN);
            recording.close(); // drains the audit log
            assertThat(upstream.received()).as("control: the old policy forwards the listen").hasSize(1);

            RunningGateway live = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), newPolicies, "p", ""));
            TestHttp.Reply refused = http.postMcp(live.port(), "/mcp", LISTEN);
            live.close();
            assertThat(refused.reason()).as("control: the live gateway under the new policy refuses it " + refused.body())
                    .isEqualTo("policy_denied");
            assertThat(upstream.received()).hasSize(1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }

        List<String> lines = Files.readAllLines(AuditFiles.file(auditDir, 1));
        assertThat(lines).hasSize(1);
        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(auditDir),
                PolicyLoader.loadDirectory(newPolicies, CheckRegistry.withDefaults()), null);
        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged())
                .as("the live gateway refuses this recorded listen under the new policy; replay must not call it unchanged\n"
                        + report.render() + "record: " + lines.get(0))
                .isZero();
    }
}
