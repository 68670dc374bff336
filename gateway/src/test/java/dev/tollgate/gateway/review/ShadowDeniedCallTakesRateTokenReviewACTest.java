package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC: {@code mode: shadow} "evaluates and records exactly as enforce would, but never blocks" (policy/README.md,
 * semantics 7). A call the shadow policy denies is still forwarded, and PolicyStage secures its obligations as if it
 * were allowed ({@code needsSecuring}: {@code allowsCall()} is true for every shadow decision): the rate token a rate
 * rule noted while the call was evaluated is taken. Under enforce the same call is refused and takes no token. The
 * shadow policy's bucket then runs ahead of the one enforce would have, and the next, legitimate call is recorded as
 * {@code shadow_denied} by the rate rule, a denial enforce would never have made. The operator trying the policy on
 * live traffic reads false rate-limit denials and concludes the policy would break legitimate exports.
 *
 * <p>Same policy, run once per mode: a higher-priority rate rule ({@code export*}, one a minute) and a rule denying
 * exports of the {@code secrets} table. Calls: export secrets (denied by no-secrets), then export public.
 * Enforce: the second export is allowed (the bucket was untouched). Shadow must record the same allow.
 */
class ShadowDeniedCallTakesRateTokenReviewACTest {

    private static final String POLICY = """
            name: p
            mode: %s
            defaults: {action: allow}
            rules:
              - name: export-rate
                priority: 10
                condition: {all: [{tool: "export*"}, {check: {name: rate_limit, args: {rate: 1, period: 1m, burst: 1}}}]}
                action: deny
                message: one export a minute
              - name: no-secrets
                condition: {arg: {path: /table, eq: secrets}}
                action: deny
                message: the secrets table is not exported
            """;

    @TempDir
    Path enforceAudit;
    @TempDir
    Path shadowAudit;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** Runs the two exports against a gateway whose policy has the given mode; the second export's audit record. */
    private JsonNode secondExportRecorded(String mode, Path audit) throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        RecordingUpstream answering = upstream;
        answering.answer(request -> {
            String body = answering.received().get(answering.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}");
        });
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY.formatted(mode), null,
                "audit: {directory: " + audit + "}");
        http = new TestHttp(vertx);
        call(1, "secrets");
        call(2, "public");
        JsonNode record = AuditLines.awaitFirst(audit, r -> "2".equals(r.path("request_id").asText()));
        assertThat(record).as("the second export's record").isNotNull();
        stop();
        http = null;
        gateway = null;
        upstream = null;
        vertx = null;
        return record;
    }

    private TestHttp.Reply call(int id, String table) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"export\","
                        + "\"arguments\":{\"table\":\"" + table + "\"}}}"));
    }

    @Test
    void shadowRecordsTheDecisionEnforceMakes() throws Exception {
        JsonNode enforced = secondExportRecorded("enforce", enforceAudit);
        assertThat(enforced.path("decision").path("action").asText()).as("enforce: " + enforced).isEqualTo("allow");

        JsonNode shadow = secondExportRecorded("shadow", shadowAudit);

        assertThat(shadow.path("decision").path("action").asText())
                .as("shadow must record what enforce did (allow), not a rate denial caused by the call enforce refused: " + shadow)
                .isEqualTo(enforced.path("decision").path("action").asText());
    }
}
