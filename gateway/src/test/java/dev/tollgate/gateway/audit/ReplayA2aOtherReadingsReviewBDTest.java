package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: the live gateway decides an A2A message under every reading an agent may take of it (its text parts joined
 * by a newline, run together, or joined by a space; the path's tenant), the strongest refusal deciding (reviews K, AT,
 * AW). {@code tollgate replay} re-decides the one recorded reading only, so a new rule that the live gateway would
 * apply through another reading is reported "unchanged": here {@code rm -rf} split over two text parts, which the real
 * {@code @a2a-js/sdk} echo agent runs together, is refused by the live gateway under the new policy and replayed as
 * allowed.
 */
class ReplayA2aOtherReadingsReviewBDTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLD = """
            name: a2a
            defaults: {action: allow}
            rules: []
            """;
    private static final String NEW = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-rm-rf
                condition: {all: [{protocol: a2a}, {arg: {path: /message/text, matches: "rm -rf"}}]}
                action: deny
            """;
    private static final String SEND = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
            + "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"rm -\"},{\"text\":\"rf /data\"}]}}}";

    @TempDir
    Path dir;

    @Test
    void aMessageTheNewPolicyRefusesLiveIsReplayedAsChanged() throws Exception {
        Path oldPolicies = Files.createDirectories(dir.resolve("old"));
        Files.writeString(oldPolicies.resolve("a2a.yaml"), OLD);
        Path newPolicies = Files.createDirectories(dir.resolve("new"));
        Files.writeString(newPolicies.resolve("a2a.yaml"), NEW);
        Path auditDir = dir.resolve("audit");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        NodeServer agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "1"));
        Vertx vertx = Vertx.vertx();
        try {
            RunningGateway recording = RunningGateway.start(vertx, yaml(oldPolicies, agent, "audit: {directory: " + auditDir + ", arguments: full}"));
            JsonNode before = send(http, recording);
            recording.close(); // drains the audit log
            assertThat(before.has("result")).as("control: the old policy lets it through " + before).isTrue();

            RunningGateway live = RunningGateway.start(vertx, yaml(newPolicies, agent, ""));
            JsonNode after = send(http, live);
            live.close();
            assertThat(after.path("error").path("data").path("reason").asText())
                    .as("control: the live gateway under the new policy refuses the same call " + after).isEqualTo("policy_denied");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
            agent.close();
        }

        List<String> lines = Files.readAllLines(AuditFiles.file(auditDir, 1));
        assertThat(lines).hasSize(1);
        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(auditDir),
                PolicyLoader.loadDirectory(newPolicies, CheckRegistry.withDefaults()), null);
        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged())
                .as("the live gateway refuses this recorded call under the new policy; replay must not call it unchanged\n"
                        + report.render() + "record: " + lines.get(0))
                .isZero();
    }

    private static String yaml(Path policies, NodeServer agent, String audit) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(policies, audit, agent.url(""));
    }

    private static JsonNode send(HttpClient http, RunningGateway gateway) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc")))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json").header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(SEND)).build();
        return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }
}
