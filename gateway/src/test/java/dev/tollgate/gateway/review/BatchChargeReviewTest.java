package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): README "What a call costs": "after the call, a cost the upstream reports in the result
 * ({@code _meta.cost_usd}) replaces [the price], and token usage in the result is added". CompletionRecorder.settleCharges
 * reads the answer only for a single JSON-RPC request ({@code single ? outcome.result() : null}); every call of a batch
 * is charged its pre-call estimate. A batch is the client's choice (any request without an MCP-Protocol-Version, or
 * with 2025-03-26), and a batch of one element is still a batch: a caller that wraps each {@code tools/call} in
 * {@code [...]} pays the price table's estimate, never the cost its upstream reports. With synthesize priced $0.30 and
 * reporting $0.75, a $1.00 spawn-tree budget allows one call sent alone, and three (reported $2.25) sent as one-element
 * batches; the ledger records $0.90.
 * Should be: each call of a batch is charged from its own response in the batch's answer (matched by id), as a single
 * call is.
 *
 * <p>Fixed: each charge of a batch is settled on the response to its own request id (ResponseOutcome.responseTo).
 */
class BatchChargeReviewTest {

    private static final String ISSUER = "https://auth.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private OctetKeyPair key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        // Answers every tools/call (alone or in a batch) with a result reporting its cost: $0.75.
        upstream.answer(request -> {
            try {
                JsonNode body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
                request.response().putHeader("content-type", "application/json");
                if (body.isArray()) {
                    ArrayNode out = JSON.createArrayNode();
                    body.forEach(m -> out.add(answer(m.get("id"))));
                    request.response().end(out.toString());
                } else {
                    request.response().end(answer(body.get("id")).toString());
                }
            } catch (Exception e) {
                request.response().setStatusCode(500).end();
            }
        });
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("pricing.yaml"), "routes:\n  upstream:\n    default: 0.01\n    tools:\n      synthesize: 0.30\n");
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                    message: spawn tree budget for synthesis exhausted
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: tollgate, required-claims: [tenant]}}\n"
                        + "budgets: {pricing: " + dir.resolve("pricing.yaml") + ", cache-ttl: 1s}"));
    }

    private static JsonNode answer(JsonNode id) {
        var response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        response.putObject("result").put("isError", false).putObject("_meta").put("cost_usd", 0.75);
        ((com.fasterxml.jackson.databind.node.ObjectNode) response.get("result")).putArray("content").addObject().put("type", "text").put("text", "ok");
        return response;
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String token(String tree) throws Exception {
        return DevAxid.mint(key, ISSUER, "tollgate", Duration.ofMinutes(4),
                Map.of("tenant", "acme", "agent", "planner", "run", "run-1", "sub", "user-1", "tree", tree), List.of());
    }

    private JsonNode post(String token, String body) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("MCP-Protocol-Version", "2025-03-26");
        TestHttp.Reply reply = http.send(options, Buffer.buffer(body));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.json();
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}";
    }

    private long spent(String tree) throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }

    @Test
    void control_aSingleCallIsChargedTheCostItsUpstreamReports() throws Exception {
        String token = token("tree-1");

        assertThat(post(token, call(1)).has("result")).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent("tree-1")).isEqualTo(750_000));
        assertThat(post(token, call(2)).path("error").path("data").path("reason").asText()).isEqualTo("policy_denied");
    }

    @Test
    void aCallInAOneElementBatchIsChargedTheCostItsUpstreamReports() throws Exception {
        String token = token("tree-2");

        JsonNode first = post(token, "[" + call(1) + "]");
        assertThat(first.isArray() && first.get(0).has("result")).as(first.toString()).isTrue();
        // Settled just after the answer: wait until the ledger has the charge, whichever it is.
        await().atMost(Duration.ofSeconds(5)).until(() -> spent("tree-2") > 0);
        Thread.sleep(200);
        assertThat(spent("tree-2")).as("the upstream reported $0.75 for this call").isEqualTo(750_000);
    }

    @Test
    void oneElementBatchesStayWithinTheBudget() throws Exception {
        String token = token("tree-3");
        int allowed = 0;
        for (int i = 1; i <= 3; i++) {
            JsonNode answer = post(token, "[" + call(i) + "]");
            if (answer.get(0).has("result")) {
                allowed++;
            }
            Thread.sleep(100);
        }
        // $0.75 reported per call, $1.00 budget: the second call must already be refused (as it is when sent alone).
        assertThat(allowed).as("calls allowed, each reported $0.75 by the upstream, on a $1.00 budget; ledger says %s micro-USD", spent("tree-3"))
                .isEqualTo(1);
    }
}
