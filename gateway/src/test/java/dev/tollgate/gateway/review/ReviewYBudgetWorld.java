package dev.tollgate.gateway.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Review Y: an AXID key, a policy folder and a pricing table for budget findings (as budget/BudgetFixture, public here). */
final class ReviewYBudgetWorld {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String ISSUER = "https://auth.test";
    static final String AUDIENCE = "tollgate";

    final Path dir;
    final OctetKeyPair key;

    /** synthesize at $0.30, anything else $0.01, on route {@code upstream}. */
    static final String SYNTH_PRICING = """
            routes:
              upstream:
                default: 0.01
                tools:
                  synthesize: 0.30
            """;

    /** The README's budget rule: synth* tools on a $1.00 budget per spawn tree. */
    static final String SYNTH_BUDGET_POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: synthesis-budget
                condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                action: deny
            """;

    /** {@link #SYNTH_PRICING} and {@link #SYNTH_BUDGET_POLICY}: the world most budget findings are shown in. */
    static ReviewYBudgetWorld synthesis(Path dir) throws Exception {
        return new ReviewYBudgetWorld(dir, SYNTH_PRICING, SYNTH_BUDGET_POLICY);
    }

    ReviewYBudgetWorld(Path dir, String pricingYaml, String policyYaml) throws Exception {
        this.dir = dir;
        this.key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("pricing.yaml"), pricingYaml);
        Files.writeString(dir.resolve("policies/p.yaml"), policyYaml);
    }

    /** One MCP route {@code upstream} at /mcp, AXIDs required, {@code budgets} the top-level budgets line (PRICING replaced). */
    String gatewayYaml(String upstreamUrl, String extraTopLevel) {
        return RunningGateway.mcpYaml(upstreamUrl, dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: " + AUDIENCE
                        + ", required-claims: [tenant]}}\n" + extraTopLevel.replace("PRICING", dir.resolve("pricing.yaml").toString()));
    }

    String token(String tenant, String tree, String run) throws Exception {
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", "planner");
        if (run != null) {
            claims.put("run", run);
        }
        claims.put("sub", "user-1");
        if (tree != null) {
            claims.put("tree", tree);
        }
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    static TestHttp.Reply post(TestHttp http, int port, String token, String version, String body) throws Exception {
        var options = TestHttp.mcpPost(port, "/mcp").putHeader("X-Waxell-AXID", token);
        if (version != null) {
            options.putHeader("MCP-Protocol-Version", version);
        }
        return http.send(options, Buffer.buffer(body));
    }

    static long spent(RunningGateway gateway, String tenant, String tree) throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey(tenant, tree)).toCompletableFuture().get();
    }

    /**
     * The tree's spend once it has reached {@code expected}, or what it is after 10 s: a call's charge lands after its
     * answer, and a loaded machine can take longer than a fixed sleep to land it. The caller's assertion still checks the
     * exact amount (a spend past {@code expected} is returned at once).
     */
    static long spentOnceAtLeast(RunningGateway gateway, String tenant, String tree, long expected) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long spent = spent(gateway, tenant, tree);
        while (spent < expected && System.nanoTime() < until) {
            Thread.sleep(20);
            spent = spent(gateway, tenant, tree);
        }
        return spent;
    }

    /**
     * An MCP server that runs tools as tasks when asked ({@code params.task}): it reports {@code _meta.cost_usd: 0.75} in a
     * tool's result, whether the call answers it or the task's {@code tasks/result}; {@code tasks/get} shows the task working.
     */
    static void answerAsPricedTaskServer(RecordingUpstream upstream) {
                upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            String method = body.path("method").asText();
            String result;
            if ("tools/call".equals(method) && body.path("params").has("task")) {
                result = "{\"task\":{\"taskId\":\"task-" + id + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                        + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}}";
            } else if ("tools/call".equals(method) || "tasks/result".equals(method)) {
                result = "{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}";
            } else if ("tasks/get".equals(method)) {
                result = "{\"taskId\":\"" + body.at("/params/taskId").asText() + "\",\"status\":\"working\","
                        + "\"createdAt\":\"2026-12-06T09:00:00Z\",\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}";
            } else {
                result = "{}";
            }
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
    }
}
