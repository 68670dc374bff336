package dev.tollgate.gateway.budget;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Budget tests' world: an AXID key and JWKS, a policy folder, a pricing table, and an upstream that
 * answers tool calls (echoing the id) with an optional reported cost or an error.
 */
final class BudgetFixture {

    static final String ISSUER = "https://auth.test";
    static final String AUDIENCE = "tollgate";

    final Path dir;
    final OctetKeyPair key;
    /** What the upstream puts in {@code result._meta.cost_usd}; null for nothing. */
    final AtomicReference<String> reportedCost = new AtomicReference<>();
    /** When set, the upstream answers every call with a JSON-RPC error. */
    final AtomicReference<Boolean> failing = new AtomicReference<>(false);
    /** The next answers ask for input (MCP 2026-07-28 {@code input_required}) instead of completing. */
    final AtomicReference<Boolean> askingForInput = new AtomicReference<>(false);

    BudgetFixture(Path dir) throws Exception {
        this.dir = dir;
        this.key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("pricing.yaml"), """
                routes:
                  upstream:
                    default: 0.01
                    tools:
                      synthesize: 0.30
                      "search*": 0.05
                """);
    }

    void answerToolCalls(RecordingUpstream upstream) {
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            String cost = reportedCost.get();
            String result = failing.get()
                    ? "\"error\":{\"code\":-32603,\"message\":\"tool failed\"}"
                    : askingForInput.get()
                    ? "\"result\":{\"resultType\":\"input_required\",\"requestState\":\"s1\",\"inputRequests\":{\"confirm\":"
                    + "{\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Go on?\","
                    + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}}}"
                    : "\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]" + (cost == null ? "" : ",\"_meta\":{\"cost_usd\":" + cost + "}") + "}";
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + "," + result + "}");
        });
    }

    void policy(String yaml) throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), yaml);
    }

    String gatewayYaml(String upstreamUrl, String budgets) {
        return RunningGateway.mcpYaml(upstreamUrl, dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: " + AUDIENCE
                        + ", required-claims: [tenant]}}\n" + budgets.replace("PRICING", dir.resolve("pricing.yaml").toString()));
    }

    String token(String tenant, String tree) throws Exception {
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", "planner");
        claims.put("run", "run-1");
        claims.put("sub", "user-1");
        if (tree != null) {
            claims.put("tree", tree);
        }
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    static TestHttp.Reply call(TestHttp http, int port, String token, int id, String tool) throws Exception {
        var options = TestHttp.mcpPost(port, "/mcp").putHeader("X-Waxell-AXID", token);
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}"));
    }
}
