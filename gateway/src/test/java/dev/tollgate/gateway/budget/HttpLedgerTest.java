package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.budget.Usd;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway against a ledger service of our own over HTTP: reads counted, charges recorded, outage. */
class HttpLedgerTest {

    /** search* costs $0.05 in the fixture's pricing table. */
    private static final long SEARCH_MICROS = 50_000;

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: budget
                condition: {all: [{tool: "search*"}, {check: {name: budget, args: {limit_usd: 100}}}]}
                action: deny
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private ReferenceLedgerServer ledger;
    private RunningGateway gateway;
    private TestHttp http;
    private BudgetFixture fixture;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        ledger = new ReferenceLedgerServer(vertx).start(0);
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        fixture.policy(POLICY);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), """
                budgets:
                  ledger: http
                  cache-ttl: 300ms
                  cache-max-age: 600ms
                  pricing: PRICING
                  http: {spent-url: "%s", spent-pointer: /spent_usd, record-url: "%s", amount-field: amount_usd}
                """.formatted(ledger.spendUrl(), ledger.spendUrl())));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        ledger.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aSteadyStreamOfCallsReadsTheLedgerAtMostOncePerTtlAndRecordsEveryCharge() throws Exception {
        String token = fixture.token("acme", "tree-1");
        long start = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - start < Duration.ofMillis(1500).toNanos()) {
            assertThat(BudgetFixture.call(http, gateway.port(), token, ++calls, "search").json().has("result")).isTrue();
        }
        double ttls = (System.nanoTime() - start) / 300e6;

        assertThat(calls).isGreaterThan(50);
        // The first read, then at most one refresh per TTL elapsed.
        assertThat(ledger.reads()).isLessThanOrEqualTo((long) Math.ceil(ttls) + 1);
        // Every charge reaches the ledger; writes are coalesced (one in flight per tree), so never more than calls.
        BigDecimal expected = new BigDecimal("0.05").multiply(BigDecimal.valueOf(calls));
        await().atMost(Duration.ofSeconds(5)).until(() -> ledger.spent("acme", "tree-1").compareTo(expected) == 0);
        assertThat(ledger.records()).isBetween(1L, (long) calls);
    }

    @Test
    void spendAlreadyInTheLedgerCountsAgainstTheBudget() throws Exception {
        String token = fixture.token("acme", "rich-tree");
        var add = TestHttp.mcpPost(ledger.port(), "/spend/acme/rich-tree");
        http.send(add, io.vertx.core.buffer.Buffer.buffer("{\"amount_usd\": 99.97}"));

        TestHttp.Reply denied = BudgetFixture.call(http, gateway.port(), token, 1, "search");

        assertThat(denied.errorCode()).isEqualTo(-32010);
        assertThat(denied.json().toString()).contains("$99.97").contains("$100.00");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void stoppingTheGatewayWaitsUntilTheLedgerHasEveryChargeAndARetriedWriteCountsOnce() throws Exception {
        ledger.holdWrites();
        String token = fixture.token("acme", "tree-3");
        for (int i = 1; i <= 3; i++) {
            assertThat(BudgetFixture.call(http, gateway.port(), token, i, "search").json().has("result")).isTrue();
        }
        Budgets budgets = gateway.gateway().services().budgets();
        TreeAccount account = budgets.cache().account(new SpendKey("acme", "tree-3"));
        // Charged here once each exchange has completed; the stalled ledger has confirmed nothing.
        await().atMost(Duration.ofSeconds(5)).until(() -> account.charged() == 3 * SEARCH_MICROS);
        assertThat(account.acknowledged()).isZero();
        // The first write times out (250 ms) before the ledger applies it, so the gateway sends it again.
        vertx.setTimer(400, id -> ledger.releaseWrites());

        gateway.close();
        gateway = null;

        assertThat(ledger.spent("acme", "tree-3")).isEqualByComparingTo(Usd.toUsd(3 * SEARCH_MICROS));
        assertThat(ledger.duplicates()).isPositive();
    }

    @Test
    void ledgerOutageDeniesBudgetedCallsOnceTheReadExpires() throws Exception {
        String token = fixture.token("acme", "tree-2");
        assertThat(BudgetFixture.call(http, gateway.port(), token, 1, "search").json().has("result")).isTrue();

        ledger.stop();
        Thread.sleep(800);
        TestHttp.Reply denied = BudgetFixture.call(http, gateway.port(), token, 2, "search");

        assertThat(denied.errorCode()).isEqualTo(-32010);
        assertThat(denied.json().toString()).contains("spend ledger (http) unavailable");
        assertThat(upstream.received()).hasSize(1);
        assertThat(gateway.gateway().services().budgets().cache().failures()).isPositive();
    }
}
