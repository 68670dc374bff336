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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: {@code tollgate replay} compares the recorded action and rule only, never the policy's {@code mode}. The
 * common rollout (a rule tried in {@code mode: shadow}, then switched to {@code enforce}) is exactly what replay is for,
 * and it reports "unchanged" for every call the switch would now refuse: the shadow-denied call was forwarded, the same
 * call under the enforcing policy is answered {@code policy_denied} and nothing is sent. The reverse (enforce to shadow:
 * every refused call would now be forwarded) is reported unchanged too.
 */
class ReplayShadowToEnforceReviewBDTest {

    private static final String RULES = """
            defaults: {action: allow}
            rules:
              - name: no-wipe
                condition: {tool: wipe_disk}
                action: deny
            """;

    @TempDir
    Path dir;

    @Test
    void aShadowDenyReplayedUnderTheEnforcingPolicyIsReportedChanged() throws Exception {
        Path auditDir = record("name: p\nmode: shadow\n" + RULES);
        JsonNode recorded = new ObjectMapper().readTree(Files.readAllLines(AuditFiles.file(auditDir, 1)).get(0));
        assertThat(recorded.path("decision").path("action").asText()).isEqualTo("deny");
        assertThat(recorded.path("decision").path("enforced").asBoolean()).as("control: shadow, the call was forwarded").isFalse();

        Path enforcing = Files.createDirectories(dir.resolve("enforcing"));
        Files.writeString(enforcing.resolve("p.yaml"), "name: p\nmode: enforce\n" + RULES);
        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(auditDir),
                PolicyLoader.loadDirectory(enforcing, CheckRegistry.withDefaults()), null);

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged())
                .as("the recorded call was forwarded (shadow); under the new policy it is refused: that is a changed decision\n"
                        + report.render())
                .isZero();
    }

    @Test
    void anEnforcedDenyReplayedUnderTheShadowPolicyIsReportedChanged() throws Exception {
        Path auditDir = record("name: p\nmode: enforce\n" + RULES);
        Path shadow = Files.createDirectories(dir.resolve("shadow"));
        Files.writeString(shadow.resolve("p.yaml"), "name: p\nmode: shadow\n" + RULES);
        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(auditDir),
                PolicyLoader.loadDirectory(shadow, CheckRegistry.withDefaults()), null);

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged())
                .as("the recorded call was refused; under the shadow policy it would reach the upstream\n" + report.render())
                .isZero();
    }

    /** Runs one wipe_disk call through a gateway deciding with {@code policy}; returns the audit directory once it is closed. */
    private Path record(String policy) throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies-" + policy.hashCode()));
        Files.writeString(policies.resolve("p.yaml"), policy);
        Path auditDir = dir.resolve("audit-" + policy.hashCode());
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "p",
                    "audit: {directory: " + auditDir + ", arguments: full}"));
            http.postMcp(gateway.port(), "/mcp",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"wipe_disk\",\"arguments\":{}}}");
            gateway.close(); // drains the audit log
            List<String> lines = Files.readAllLines(AuditFiles.file(auditDir, 1));
            assertThat(lines).hasSize(1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        return auditDir;
    }
}
