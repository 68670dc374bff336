package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BD: a batch may hold the ids {@code 1} and {@code "1"} (JSON-RPC tells them apart, and so do the parser's
 * repeated-id check and the answer pairing), but the audit record joins a call's result verdicts by {@code id.asText()}
 * ({@code CompletionRecorder.record}), so the verdict on one call's result is written into the other's record too: the
 * record of a call whose result was relayed untouched says its result was withheld by a rule (and carries the other
 * call's findings), and an investigator reading the log sees a withheld result that the client in fact received.
 */
class BatchIdsOfTwoTypesReviewBDTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-leaky-results
                condition: {all: [{direction: result}, {tool: leaky}]}
                action: deny
            """;

    @TempDir
    Path dir;

    @Test
    void eachRecordCarriesTheVerdictOnItsOwnResult() throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        Path auditDir = dir.resolve("audit");
        Vertx vertx = Vertx.vertx();
        TestHttp.Reply reply;
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             TestHttp http = new TestHttp(vertx)) {
            upstream.answer(request -> request.response().putHeader("Content-Type", "application/json").end(
                    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"fine\"}]}},"
                            + "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"leaked\"}]}}]"));
            RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "p",
                    "audit: {directory: " + auditDir + ", arguments: full}"));
            reply = http.postMcp(gateway.port(), "/mcp",
                    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"safe\",\"arguments\":{}}},"
                            + "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"tools/call\",\"params\":{\"name\":\"leaky\",\"arguments\":{}}}]");
            gateway.close(); // drains the audit log
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        String answer = reply.body().toString();
        assertThat(answer).as("control: the safe call's result reached the client").contains("fine").doesNotContain("leaked");

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(AuditFiles.file(auditDir, 1))) {
            records.add(JSON.readTree(line));
        }
        JsonNode safe = records.stream().filter(r -> "safe".equals(r.path("tool").asText())).findFirst().orElseThrow();
        JsonNode leaky = records.stream().filter(r -> "leaky".equals(r.path("tool").asText())).findFirst().orElseThrow();
        assertThat(leaky.path("result").path("action").asText()).as("control: " + leaky).isEqualTo("deny");
        assertThat(safe.path("result").path("rule").asText(null))
                .as("the safe call's result was relayed untouched; its record must not carry the other call's verdict: " + safe)
                .isNotEqualTo("no-leaky-results");
    }
}
