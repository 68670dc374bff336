package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): "The gateway forwards the original bytes; this parse is only read" (JsonRpcParser), and the policy and
 * the audit record read fractions exactly (StrictJsonParser: BigDecimal). But a batch with a denied element is forwarded
 * re-serialized (PolicyStage.splitBatch: {@code new ObjectMapper().readTree(body)}, fractions as doubles): the allowed
 * element's {@code "amount": 0.1000000000000000000001} reaches the upstream as {@code 0.1} and {@code 1E+2} as
 * {@code 100.0}, while the audit record ({@code arguments: full}) and its {@code args_digest} keep what the client wrote.
 * The record misstates the arguments forwarded, and an upstream reading exact decimals (BigDecimal, Python
 * {@code parse_float=Decimal}) acts on a value policy never saw. Control: the same batch with nothing denied is
 * forwarded as written.
 * Should be: the allowed elements are forwarded as their original bytes (slices of the body), or re-read exactly.
 *
 * <p>Fixed: the allowed elements are re-read with exact numbers (PolicyStage, ExactNumbers).
 */
class PartialBatchRewriteReviewTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-danger
                condition: {tool: danger}
                action: deny
            """;
    private static final String PAY = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"pay\","
            + "\"arguments\":{\"amount\":0.1000000000000000000001,\"ratio\":1E+2}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("[{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}]"));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "audit: {directory: " + dir.resolve("audit") + ", arguments: full}"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void post(String first) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                Buffer.buffer("[" + first + "," + PAY + "]"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    }

    @Test
    void control_aBatchWithNothingDeniedIsForwardedAsWritten() throws Exception {
        post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");

        assertThat(upstream.received().get(0).body().toString()).contains("\"amount\":0.1000000000000000000001").contains("\"ratio\":1E+2");
    }

    @Test
    void theAllowedElementOfAPartlyDeniedBatchIsForwardedAsWrittenAndAsAudited() throws Exception {
        post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"danger\",\"arguments\":{}}}");

        assertThat(AuditLines.awaitFirst(dir.resolve("audit"), r -> "2".equals(r.path("request_id").asText()))).isNotNull();
        // The record's line as written (a double-reading JSON parser would round it the same way the forwarding did).
        String line = Files.readAllLines(dev.tollgate.gateway.audit.AuditFiles.file(dir.resolve("audit"), 1)).stream()
                .filter(l -> l.matches(".*\"request_id\":2[,}].*")).findFirst().orElseThrow(); // the id as sent: a number
        assertThat(line).as("what the audit record says was forwarded").contains("\"amount\":0.1000000000000000000001");
        String forwarded = upstream.received().get(0).body().toString();
        assertThat(forwarded).as("what the upstream received; the audit record: %s", line)
                .contains("\"amount\":0.1000000000000000000001");
    }
}
