package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets and rate limits on one gateway with its in-memory ledger, driven through real HTTP calls. */
class BudgetThroughGatewayTest {

    private static final String BUDGET_POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: synthesis-budget
                condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                action: deny
                message: spawn tree budget for synthesis exhausted
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private BudgetFixture fixture;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        http = new TestHttp(vertx);
    }

    private void startGateway(String policy) throws Exception {
        fixture.policy(policy);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Charges are settled when the exchange completes, just after the client has its answer. */
    private void awaitSpent(String tenant, String tree, long micros) {
        await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent(tenant, tree)).isEqualTo(micros));
    }

    private long spent(String tenant, String tree) throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey(tenant, tree)).toCompletableFuture().get();
    }

    @Test
    void theCallThatWouldPassTheLimitIsDeniedWithSpendAndLimitInTheMessage() throws Exception {
        startGateway(BUDGET_POLICY);
        String token = fixture.token("acme", "tree-1");

        for (int i = 1; i <= 3; i++) {
            assertThat(BudgetFixture.call(http, gateway.port(), token, i, "synthesize").json().has("result")).isTrue();
        }
        TestHttp.Reply fourth = BudgetFixture.call(http, gateway.port(), token, 4, "synthesize");

        assertThat(fourth.errorCode()).isEqualTo(-32010);
        assertThat(fourth.json().at("/error/data/rule").asText()).isEqualTo("synthesis-budget");
        assertThat(fourth.json().at("/error/message").asText() + fourth.json().at("/error/data").toString())
                .contains("$0.90").contains("$0.30").contains("$1.00");
        assertThat(upstream.received()).hasSize(3);
        awaitSpent("acme", "tree-1", 900_000);
    }

    @Test
    void budgetsAreKeptPerSpawnTreeAndOtherToolsAreNotLimited() throws Exception {
        startGateway(BUDGET_POLICY);
        String tree1 = fixture.token("acme", "tree-1");
        for (int i = 1; i <= 4; i++) {
            BudgetFixture.call(http, gateway.port(), tree1, i, "synthesize");
        }

        assertThat(BudgetFixture.call(http, gateway.port(), fixture.token("acme", "tree-2"), 5, "synthesize").json().has("result")).isTrue();
        assertThat(BudgetFixture.call(http, gateway.port(), tree1, 6, "search").json().has("result")).isTrue();
        awaitSpent("acme", "tree-1", 900_000 + 50_000);
    }

    @Test
    void aCostReportedByTheUpstreamReplacesThePrice() throws Exception {
        startGateway(BUDGET_POLICY);
        String token = fixture.token("acme", "tree-1");
        fixture.reportedCost.set("0.75");

        assertThat(BudgetFixture.call(http, gateway.port(), token, 1, "synthesize").json().has("result")).isTrue();
        TestHttp.Reply second = BudgetFixture.call(http, gateway.port(), token, 2, "synthesize");

        assertThat(second.errorCode()).isEqualTo(-32010);
        assertThat(second.json().toString()).contains("$0.75");
        awaitSpent("acme", "tree-1", 750_000);
    }

    @Test
    void aLegThatAsksForInputAndItsRetryArePricedAsOneCall() throws Exception {
        startGateway(BUDGET_POLICY);
        String token = fixture.token("acme", "tree-1");

        // Three calls, each answered input_required first and completed by its retry: $0.90 of a $1.00 budget.
        // Were each leg priced, the fourth leg would already pass the limit and be denied.
        for (int i = 1; i <= 3; i++) {
            fixture.askingForInput.set(true);
            TestHttp.Reply leg = BudgetFixture.call(http, gateway.port(), token, 2 * i - 1, "synthesize");
            assertThat(leg.json().at("/result/resultType").asText()).as(leg.body().toString()).isEqualTo("input_required");
            fixture.askingForInput.set(false);
            TestHttp.Reply retry = BudgetFixture.call(http, gateway.port(), token, 2 * i, "synthesize");
            assertThat(retry.json().has("result")).as(retry.body().toString()).isTrue();
        }

        assertThat(upstream.received()).hasSize(6);
        awaitSpent("acme", "tree-1", 900_000);
        assertThat(BudgetFixture.call(http, gateway.port(), token, 7, "synthesize").errorCode()).isEqualTo(-32010);
    }

    /** The cost guard of the AGT + Waxell article, as written there: AGT's rule form, the check bound in the gateway's configuration. */
    @Test
    void theArticlesCostGuardDeniesOnceTheSpawnTreeHasSpentTenDollars() throws Exception {
        fixture.policy("""
                version: "1.0"
                name: p
                defaults: {action: allow}
                rules:
                  - rule_id: cost_guard_synthesis
                    description: "Block expensive synthesis if spawn tree spend > $10"
                    condition:
                      tool: synthesize_report
                      custom_check: waxell_budget_check
                    action: deny
                    message: "Spawn tree budget exceeded — synthesize_report blocked"
                """);
        String yaml = fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}");
        String policiesLine = "policies: {directory: " + dir.resolve("policies") + "}";
        assertThat(yaml).contains(policiesLine);
        gateway = RunningGateway.start(vertx, yaml.replace(policiesLine, "policies: {directory: " + dir.resolve("policies")
                + ", custom-checks: {waxell_budget_check: {check: budget, args: {limit_usd: 10.00}}}}"));
        String token = fixture.token("acme", "tree-1");
        fixture.reportedCost.set("4.00");

        for (int i = 1; i <= 3; i++) {
            assertThat(BudgetFixture.call(http, gateway.port(), token, i, "synthesize_report").json().has("result")).as("call " + i).isTrue();
        }
        TestHttp.Reply fourth = BudgetFixture.call(http, gateway.port(), token, 4, "synthesize_report");
        TestHttp.Reply otherTool = BudgetFixture.call(http, gateway.port(), token, 5, "search");

        assertThat(fourth.errorCode()).isEqualTo(-32010);
        assertThat(fourth.json().at("/error/data/rule").asText()).isEqualTo("cost_guard_synthesis");
        assertThat(fourth.json().toString()).contains("Spawn tree budget exceeded").contains("$12.00").contains("$10.00");
        assertThat(otherTool.json().has("result")).isTrue();
        assertThat(upstream.received()).hasSize(4);
    }

    @Test
    void aCustomCheckTheConfigurationDoesNotBindIsALoadError() throws Exception {
        fixture.policy("""
                name: p
                rules:
                  - rule_id: cost_guard_synthesis
                    condition: {tool: synthesize_report, custom_check: waxell_budget_check}
                    action: deny
                """);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunningGateway.start(vertx,
                        fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING}")))
                .hasStackTraceContaining("custom check 'waxell_budget_check' is not bound")
                .hasStackTraceContaining("policies.custom-checks");
    }

    @Test
    void aFailedCallReleasesItsHoldAndIsNotCharged() throws Exception {
        startGateway(BUDGET_POLICY);
        String token = fixture.token("acme", "tree-1");
        fixture.failing.set(true);

        for (int i = 1; i <= 5; i++) {
            assertThat(BudgetFixture.call(http, gateway.port(), token, i, "synthesize").json().at("/error/code").asInt()).isEqualTo(-32603);
        }

        assertThat(upstream.received()).hasSize(5);
        assertThat(spent("acme", "tree-1")).isZero();
    }

    @Test
    void aCallerWhoseAxidNamesNoSpawnTreeIsDeniedFailClosed() throws Exception {
        startGateway(BUDGET_POLICY);

        TestHttp.Reply reply = BudgetFixture.call(http, gateway.port(), fixture.token("acme", null), 1, "synthesize");

        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.json().toString()).contains("no tenant and spawn tree");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void concurrentCallsOnOneGatewayNeverTakeTheTreePastItsBudget() throws Exception {
        startGateway(BUDGET_POLICY);
        String token = fixture.token("acme", "tree-burst");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<TestHttp.Reply>> calls = new ArrayList<>();
            for (int i = 1; i <= 24; i++) {
                int id = i;
                calls.add(() -> BudgetFixture.call(http, gateway.port(), token, id, "synthesize"));
            }
            int allowed = 0;
            for (Future<TestHttp.Reply> reply : pool.invokeAll(calls)) {
                allowed += reply.get().json().has("result") ? 1 : 0;
            }
            // $1.00 at $0.30 a call: three fit, whatever the interleaving.
            assertThat(allowed).isEqualTo(3);
            assertThat(upstream.received()).hasSize(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rateLimitDeniesCallsBeyondTheBurstPerTenant() throws Exception {
        startGateway("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: search-rate
                    condition: {all: [{tool: search}, {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 2, per: [tenant]}}}]}
                    action: deny
                    message: too many searches
                """);
        String acme = fixture.token("acme", "t");

        assertThat(BudgetFixture.call(http, gateway.port(), acme, 1, "search").json().has("result")).isTrue();
        assertThat(BudgetFixture.call(http, gateway.port(), acme, 2, "search").json().has("result")).isTrue();
        TestHttp.Reply third = BudgetFixture.call(http, gateway.port(), acme, 3, "search");

        assertThat(third.errorCode()).isEqualTo(-32010);
        assertThat(third.json().at("/error/data/rule").asText()).isEqualTo("search-rate");
        assertThat(third.json().toString()).contains("rate limit reached for p|search-rate|0|acme");
        assertThat(BudgetFixture.call(http, gateway.port(), fixture.token("beta", "t"), 4, "search").json().has("result")).isTrue();
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void pastItsBucketLimitARateLimitRefusesNewKeysAndKeepsTheBucketsItHas() throws Exception {
        // per: tool follows what the caller sends: a caller naming a new tool each call would add a bucket each call.
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: per-tool-rate
                    condition: {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1, per: [tool]}}}
                    action: deny
                    message: one call per tool per hour
                """);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "rate-limits: {store: local, max-local-buckets: 2}"));
        String acme = fixture.token("acme", "t");

        assertThat(BudgetFixture.call(http, gateway.port(), acme, 1, "tool-a").json().has("result")).isTrue();
        assertThat(BudgetFixture.call(http, gateway.port(), acme, 2, "tool-b").json().has("result")).isTrue();
        TestHttp.Reply third = BudgetFixture.call(http, gateway.port(), acme, 3, "tool-c");
        // The two buckets are not forgotten to make room: tool-a's is still empty.
        TestHttp.Reply againA = BudgetFixture.call(http, gateway.port(), acme, 4, "tool-a");

        assertThat(third.errorCode()).isEqualTo(-32010);
        assertThat(third.json().at("/error/data/rule").asText()).isEqualTo("per-tool-rate");
        assertThat(third.json().toString()).contains("rate-limit table full").contains("denied (fail closed)");
        assertThat(againA.errorCode()).isEqualTo(-32010);
        assertThat(againA.json().toString()).contains("rate limit reached for p|per-tool-rate|0|tool-a");
        assertThat(upstream.received()).hasSize(2);
    }

    @Test
    void aCallerNamingNewToolsFillsOnlyItsOwnShareOfTheBuckets() throws Exception {
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: per-tenant-tool
                    condition: {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1, per: [tenant, tool]}}}
                    action: deny
                    message: one call per tool per tenant per hour
                """);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "rate-limits: {max-buckets-per-owner: 2}"));
        String acme = fixture.token("acme", "t");

        assertThat(BudgetFixture.call(http, gateway.port(), acme, 1, "tool-a").json().has("result")).isTrue();
        assertThat(BudgetFixture.call(http, gateway.port(), acme, 2, "tool-b").json().has("result")).isTrue();
        TestHttp.Reply third = BudgetFixture.call(http, gateway.port(), acme, 3, "tool-c");
        TestHttp.Reply otherTenant = BudgetFixture.call(http, gateway.port(), fixture.token("beta", "t"), 4, "tool-c");

        assertThat(third.errorCode()).isEqualTo(-32010);
        assertThat(third.json().toString()).contains("rate-limit buckets of p|per-tenant-tool|0|axid:acme/").contains("denied (fail closed)");
        assertThat(otherTenant.json().has("result")).as("another tenant's first call").isTrue();
        assertThat(gateway.gateway().services().budgets().rateTableFull()).isEqualTo(1);
        assertThat(upstream.received()).hasSize(3);
    }

    /**
     * An A2A call pays the cost its answer reports, whichever binding carried it: the HTTP+JSON body is the response
     * itself (review: these were charged the route's estimate, the reported cost never read), and each event of its
     * stream too, as the JSON-RPC call's first response is.
     */
    @Test
    void a2aSendsPayTheCostTheirAnswerReportsOverEveryBinding() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("pricing.yaml"), "reported-cost: /message/metadata/cost_usd\nroutes: {upstream: {default: 0.01}}\n");
        fixture.policy("name: p\ndefaults: {action: allow}\nrules: []\n");
        String answer = "{\"message\":{\"messageId\":\"r\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"ok\"}],\"metadata\":{\"cost_usd\":0.05}}}";
        upstream.answer(request -> {
            if (request.path().endsWith(":stream")) {
                request.response().putHeader("content-type", "text/event-stream").end("data: " + answer + "\n\n");
            } else if (request.path().contains(":")) {
                request.response().putHeader("content-type", "application/json").end(answer);
            } else {
                request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + answer + "}");
            }
        });
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING}")
                .replace("path: /mcp, protocol: mcp", "path: /agent, protocol: a2a"));
        String message = "{\"message\":{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}";

        TestHttp.Reply jsonRpc = http.send(a2aPost("/agent", "rpc-tree"),
                io.vertx.core.buffer.Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":" + message + "}"));
        TestHttp.Reply rest = http.send(a2aPost("/agent/message:send", "rest-tree"), io.vertx.core.buffer.Buffer.buffer(message));
        TestHttp.Reply stream = http.send(a2aPost("/agent/message:stream", "stream-tree").putHeader("Accept", "text/event-stream"),
                io.vertx.core.buffer.Buffer.buffer(message));

        assertThat(List.of(jsonRpc.status(), rest.status(), stream.status())).as(rest.body() + " " + stream.body()).containsOnly(200);
        assertThat(upstream.received()).hasSize(3);
        awaitSpent("acme", "rpc-tree", 50_000);
        awaitSpent("acme", "rest-tree", 50_000);
        awaitSpent("acme", "stream-tree", 50_000);
    }

    private io.vertx.core.http.RequestOptions a2aPost(String path, String tree) throws Exception {
        return TestHttp.mcpPost(gateway.port(), path).putHeader("X-Waxell-AXID", fixture.token("acme", tree)).putHeader("A2A-Version", "1.0");
    }

    @Test
    void a2aMessageSendsAreChargedAndStoppedByTheSameBudgetRule() throws Exception {
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: agent-budget
                    condition: {all: [{method: SendMessage}, {check: {name: budget, args: {limit_usd: 0.025}}}]}
                    action: deny
                """);
        upstream.answer(request -> request.response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"r\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"ok\"}]}}}"));
        // Priced by its default alone: a send that declares no skill pays the route's dearest price (review Y), which on
        // the fixture's table is synthesize's $0.30.
        java.nio.file.Files.writeString(fixture.dir.resolve("pricing.yaml"), "routes: {upstream: {default: 0.01}}\n");
        String yaml = fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING}")
                .replace("path: /mcp, protocol: mcp", "path: /agent, protocol: a2a");
        gateway = RunningGateway.start(vertx, yaml);
        String token = fixture.token("acme", "a2a-tree");
        String send = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}}";

        List<TestHttp.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var options = TestHttp.mcpPost(gateway.port(), "/agent").putHeader("X-Waxell-AXID", token).putHeader("A2A-Version", "1.0");
            replies.add(http.send(options, io.vertx.core.buffer.Buffer.buffer(send)));
        }

        // The route's default price is $0.01 a send: two fit in $0.025, the third would pass it.
        assertThat(replies.get(0).json().has("result")).isTrue();
        assertThat(replies.get(1).json().has("result")).isTrue();
        assertThat(replies.get(2).errorCode()).isEqualTo(-32010);
        assertThat(replies.get(2).json().toString()).contains("agent-budget").contains("$0.02").contains("$0.025");
        assertThat(upstream.received()).hasSize(2);
        awaitSpent("acme", "a2a-tree", 20_000);
    }
    @Test
    void a2aSendsOfAPricedSkillKeepTheirPriceWhileAnUndeclaredOnePaysTheDearestAndMeetsItsBudget() throws Exception {
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: synthesize}, {check: {name: budget, args: {limit_usd: 0.5}}}]}
                    action: deny
                """);
        upstream.answer(request -> request.response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"r\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"ok\"}]}}}"));
        // The fixture's table: synthesize $0.30, "search*" $0.05, default $0.01.
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING}")
                .replace("path: /mcp, protocol: mcp", "path: /agent, protocol: a2a"));

        List<Integer> searches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            searches.add(http.send(a2aPost("/agent", "search-tree"), io.vertx.core.buffer.Buffer.buffer(send(",\"metadata\":{\"skillId\":\"search_web\"}")))
                    .json().has("result") ? 1 : 0);
        }
        TestHttp.Reply first = http.send(a2aPost("/agent", "undeclared-tree"), io.vertx.core.buffer.Buffer.buffer(send("")));
        TestHttp.Reply second = http.send(a2aPost("/agent", "undeclared-tree"), io.vertx.core.buffer.Buffer.buffer(send("")));

        // A skill priced by a glob is known: $0.05 each, outside the synthesis budget.
        assertThat(searches).containsOnly(1);
        awaitSpent("acme", "search-tree", 150_000);
        // No skill: priced as synthesize, the route's dearest, and held against the synthesis budget ($0.30 + $0.30 > $0.50).
        assertThat(first.json().has("result")).as(first.body().toString()).isTrue();
        assertThat(second.errorCode()).isEqualTo(-32010);
        assertThat(second.json().toString()).contains("synthesis-budget").contains("$0.30").contains("$0.50");
        awaitSpent("acme", "undeclared-tree", 300_000);
        assertThat(upstream.received()).hasSize(4);
    }

    private static String send(String metadata) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]" + metadata + "}}}";
    }
}
