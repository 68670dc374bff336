package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
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

/**
 * Two gateway replicas sharing a real redis-server: strict holds never let concurrent calls on both pass
 * the budget; cached mode stays within its documented bound (measured, on a load that exceeds the budget); a Redis outage denies (fail closed) or
 * allows on a recent read, as configured; shared rate limits count calls on both replicas.
 */
class RedisBudgetTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: synthesis-budget
                condition: {all: [{tool: synthesize}, {check: {name: budget, args: {limit_usd: 3.00}}}]}
                action: deny
                message: spawn tree budget exhausted
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private final List<RunningGateway> gateways = new ArrayList<>();
    private TestHttp http;
    private BudgetFixture fixture;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        fixture.policy(POLICY);
        http = new TestHttp(vertx);
    }

    /**
     * Replicas whose Redis commands have 2 s to answer: a loaded machine can keep Redis or the gateway from answering
     * within 200 ms, and a command timing out is a ledger error (a call denied, a count short), not what these tests
     * are about.
     */
    private List<RunningGateway> replicas(int count, String budgets) throws Exception {
        return replicas(count, budgets, "2s");
    }

    /** Replicas with this redis.timeout: the tests about a slow or missing Redis keep 200 ms. */
    private List<RunningGateway> replicas(int count, String budgets, String redisTimeout) throws Exception {
        for (int i = 0; i < count; i++) {
            gateways.add(RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                    "redis: {uri: \"" + redis.uri() + "\", timeout: " + redisTimeout + "}\n" + budgets)));
        }
        return gateways;
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        for (RunningGateway g : gateways) {
            g.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        redis.close();
    }

    /** Sends {@code count} concurrent calls spread over the replicas; returns how many each replica allowed. */
    private int[] burst(List<RunningGateway> replicas, String token, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int id = i + 1;
                int replica = i % replicas.size();
                calls.add(() -> BudgetFixture.call(http, replicas.get(replica).port(), token, id, "synthesize")
                        .json().has("result") ? replica : -1);
            }
            int[] allowed = new int[replicas.size()];
            for (Future<Integer> f : pool.invokeAll(calls)) {
                if (f.get() >= 0) {
                    allowed[f.get()]++;
                }
            }
            return allowed;
        } finally {
            pool.shutdownNow();
        }
    }

    private long redisSpent(RunningGateway g, String tree) throws Exception {
        return g.gateway().services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }

    @Test
    void strictHoldsNeverLetTwoReplicasPassTheBudget() throws Exception {
        List<RunningGateway> replicas = replicas(2, "budgets: {ledger: redis, mode: strict, pricing: PRICING}");

        int[] allowed = burst(replicas, fixture.token("acme", "strict-tree"), 40);

        // $3.00 at $0.30 a call: exactly ten, however the forty race across the two replicas.
        assertThat(allowed[0] + allowed[1]).isEqualTo(10);
        assertThat(upstream.received()).hasSize(10);
        await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redisSpent(replicas.get(0), "strict-tree")).isEqualTo(3_000_000));
        for (RunningGateway g : replicas) {
            await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(g.gateway().services().budgets().holdsRenewing()).as("holds still renewed once every call ended").isZero());
        }
    }

    @Test
    void strictCallsThatFailReleaseTheirHoldsAndStopRenewingThem() throws Exception {
        RunningGateway g = replicas(1, "budgets: {ledger: redis, mode: strict, pricing: PRICING}").get(0);
        fixture.failing.set(true);

        int[] allowed = burst(List.of(g), fixture.token("acme", "failing-tree"), 6);

        assertThat(allowed[0]).as("failed calls answer with the upstream's error").isZero();
        assertThat(upstream.received()).hasSize(6);
        await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(g.gateway().services().budgets().holdsRenewing()).isZero());
        assertThat(redisSpent(g, "failing-tree")).isZero();
        fixture.failing.set(false);
        assertThat(allowedUntilDenied(g, fixture.token("acme", "failing-tree"), 100, 20)).as("released holds free the budget").isEqualTo(10);
    }

    @Test
    void callsRunningLongerThanHoldExpiryKeepTheirHoldsSoLaterCallsCannotPassTheBudget() throws Exception {
        RunningGateway g = replicas(1, "budgets: {ledger: redis, mode: strict, hold-expiry: 1s, pricing: PRICING}", "200ms").get(0);
        java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean(true);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}";
            // The first calls stream (or wait for an approver) for more than twice hold-expiry.
            vertx.setTimer(slow.get() ? 2_500 : 1, t -> request.response().putHeader("content-type", "application/json").end(answer));
        });
        String token = fixture.token("acme", "long-tree");
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            List<Future<TestHttp.Reply>> running = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                int id = i + 1;
                running.add(pool.submit(() -> BudgetFixture.call(http, g.port(), token, id, "synthesize")));
            }
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> upstream.received().size() == 9);
            Thread.sleep(1_500); // past hold-expiry: only renewals keep the nine $0.30 holds
            slow.set(false);

            assertThat(allowedUntilDenied(g, token, 100, 5)).as("$3.00 budget with $2.70 held by running calls").isEqualTo(1);
            for (Future<TestHttp.Reply> call : running) {
                assertThat(call.get().json().has("result")).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        awaitLedger(g, "long-tree", 3_000_000);
        await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(g.gateway().services().budgets().holdsRenewing()).isZero());
        assertThat(g.gateway().services().budgets().holdsLapsed()).isZero();
    }

    /** Calls {@code synthesize} ($0.30) one after another until one is denied (or {@code max} pass); returns how many passed. */
    private int allowedUntilDenied(RunningGateway g, String token, int firstId, int max) throws Exception {
        for (int i = 0; i < max; i++) {
            TestHttp.Reply reply = BudgetFixture.call(http, g.port(), token, firstId + i, "synthesize");
            if (!reply.json().has("result")) {
                assertThat(reply.errorCode()).as(reply.body().toString()).isEqualTo(-32010);
                return i;
            }
        }
        return max;
    }

    private void awaitLedger(RunningGateway g, String tree, long micros) {
        await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(redisSpent(g, tree)).isEqualTo(micros));
    }

    @Test
    void withinOneCacheMaxAgeAReplicaOvershootsByAtMostWhatTheOtherChargedSinceItsRead() throws Exception {
        // Reads live a minute: within this test, nothing B does refreshes its read.
        List<RunningGateway> replicas = replicas(2, "budgets: {ledger: redis, mode: cached, cache-ttl: 1m, cache-max-age: 2m, pricing: PRICING}");
        RunningGateway a = replicas.get(0);
        RunningGateway b = replicas.get(1);
        String tree = "window-tree";
        String token = fixture.token("acme", tree);

        // B reads the tree (nothing spent) and spends $0.30, which reaches the ledger before A reads.
        assertThat(allowedUntilDenied(b, token, 1, 1)).isEqualTo(1);
        awaitLedger(a, tree, 300_000);
        int byA = allowedUntilDenied(a, token, 100, 40);
        awaitLedger(a, tree, (1 + byA) * 300_000L);
        int byB = allowedUntilDenied(b, token, 200, 40);
        long spent = (1 + byA + byB) * 300_000L;
        awaitLedger(a, tree, spent);

        // Documented bound: what the other replica charges within one cache-max-age that B's read does not
        // show. A read $0.30 spent, so A can charge at most $2.70; B's read predates all of it.
        long bound = 3_000_000 - 300_000;
        long overshoot = spent - 3_000_000;
        System.out.printf("cached, within one cache-max-age: A allowed %d, B %d, ledger $%.2f, overshoot $%.2f, bound $%.2f%n",
                byA, 1 + byB, spent / 1e6, overshoot / 1e6, bound / 1e6);
        assertThat(overshoot).isLessThanOrEqualTo(bound);
        // The load is one that exceeds the budget: the bound is exercised, not vacuous.
        assertThat(overshoot).isPositive();
    }

    @Test
    void afterOneCacheMaxAgeTheOtherReplicasChargesStopThisOne() throws Exception {
        List<RunningGateway> replicas = replicas(2, "budgets: {ledger: redis, mode: cached, cache-ttl: 100ms, cache-max-age: 200ms, pricing: PRICING}");
        RunningGateway a = replicas.get(0);
        RunningGateway b = replicas.get(1);
        String tree = "aged-tree";
        String token = fixture.token("acme", tree);

        // B holds a read of an empty tree; A then spends the rest of the budget.
        assertThat(allowedUntilDenied(b, token, 1, 1)).isEqualTo(1);
        awaitLedger(a, tree, 300_000);
        int byA = allowedUntilDenied(a, token, 100, 40);
        awaitLedger(a, tree, (1 + byA) * 300_000L);
        Thread.sleep(400); // past cache-max-age: B's read of the empty tree may no longer be used

        int byB = allowedUntilDenied(b, token, 200, 40);
        long spent = (1 + byA + byB) * 300_000L;
        awaitLedger(a, tree, spent);

        // Documented bound: what A charged within the last cache-max-age before B's calls, which is nothing
        // (A's last charge reached the ledger before the wait). A B deciding on its old read would pass nine
        // more calls: $2.70 over.
        long bound = 0;
        long overshoot = spent - 3_000_000;
        System.out.printf("cached, after one cache-max-age: A allowed %d, B %d, ledger $%.2f, overshoot $%.2f, bound $%.2f%n",
                byA, 1 + byB, spent / 1e6, overshoot / 1e6, bound / 1e6);
        assertThat(overshoot).isLessThanOrEqualTo(bound);
        assertThat(byB).isZero();
    }

    @Test
    void redisDownDeniesInStrictModeAndRecovers() throws Exception {
        RunningGateway g = replicas(1, "budgets: {ledger: redis, mode: strict, pricing: PRICING}").get(0);
        String token = fixture.token("acme", "outage-tree");
        assertThat(BudgetFixture.call(http, g.port(), token, 1, "synthesize").json().has("result")).isTrue();

        redis.stop();
        TestHttp.Reply during = BudgetFixture.call(http, g.port(), token, 2, "synthesize");
        assertThat(during.errorCode()).isEqualTo(-32010);
        assertThat(during.json().toString()).contains("unavailable").contains("fail closed");
        assertThat(BudgetFixture.call(http, g.port(), token, 3, "search").json().has("result")).isTrue();

        redis.restart();
        assertThat(BudgetFixture.call(http, g.port(), token, 4, "synthesize").json().has("result")).isTrue();
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void aStrictCallHeldLocallyAfterItsReserveTimedOutIsNotAlsoHeldInRedis() throws Exception {
        RunningGateway g = replicas(1, "budgets: {ledger: redis, mode: strict, on-ledger-error: allow-stale, max-staleness: 1m, "
                + "pricing: PRICING}", "500ms").get(0);
        // A 500 ms timeout and a 1.5 s pause (not 200 ms and 700 ms): any reserve that times out becomes a hold on this
        // gateway that Redis also runs, one call fewer until it is released; at 200 ms a loaded machine timed out one of
        // the calls counted below as well as the paused one (seen: 7 for 8).
        // Scripts loaded, connections open: a cold JVM may take longer than the timeout for its first reserves.
        String warm = fixture.token("acme", "warm-tree");
        for (int i = 0; i < 20 && !BudgetFixture.call(http, g.port(), warm, 50 + i, "synthesize").json().has("result"); i++) {
            Thread.sleep(100);
        }
        String token = fixture.token("acme", "stale-strict-tree");
        assertThat(BudgetFixture.call(http, g.port(), token, 1, "synthesize").json().has("result")).isTrue();
        long degradedWarmingUp = g.gateway().services().budgets().degradedHolds();

        // Redis slower than redis.timeout: the reserve times out, the call is held on this gateway (allow-stale) and
        // forwarded; Redis then runs the reserve anyway.
        assertThat(pauseRedis(1500)).isEqualTo("+OK");
        assertThat(BudgetFixture.call(http, g.port(), token, 2, "synthesize").json().has("result")).isTrue();
        Budgets budgets = g.gateway().services().budgets();
        assertThat(budgets.degradedHolds() - degradedWarmingUp).isEqualTo(1);
        Thread.sleep(1500); // the pause ends: Redis runs the reserve that timed out (and the gateway's writes meanwhile)

        awaitLedger(g, "stale-strict-tree", 600_000);
        RedisSpendLedger ledger = (RedisSpendLedger) budgets.ledger();
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ledger.reserveReleasesPending() == 0);
        // $0.60 spent of $3.00: eight more calls. Had the timed-out reserve's hold stayed in Redis, the call held
        // locally would count twice until hold-expiry, and only seven would pass.
        assertThat(allowedUntilDenied(g, token, 100, 20)).isEqualTo(8);
        assertThat(budgets.settlesAbandoned()).isZero();
    }

    /** Pauses every client of the test Redis (a slow Redis: a fork, a failover), on a connection of its own. */
    private String pauseRedis(long millis) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("CLIENT PAUSE " + millis + " ALL\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }

    @Test
    void redisDownInCachedModeDeniesOnceTheReadExpiresUnlessStaleReadsAreAllowed() throws Exception {
        RunningGateway deny = replicas(1, "budgets: {ledger: redis, cache-ttl: 100ms, cache-max-age: 200ms, pricing: PRICING}").get(0);
        RunningGateway stale = replicas(1, "budgets: {ledger: redis, cache-ttl: 100ms, cache-max-age: 200ms, "
                + "on-ledger-error: allow-stale, max-staleness: 1m, pricing: PRICING}").get(1);
        String token = fixture.token("acme", "cached-outage");
        assertThat(BudgetFixture.call(http, deny.port(), token, 1, "synthesize").json().has("result")).isTrue();
        assertThat(BudgetFixture.call(http, stale.port(), token, 2, "synthesize").json().has("result")).isTrue();

        redis.stop();
        Thread.sleep(400); // past cache-max-age: the reads are gone

        TestHttp.Reply denied = BudgetFixture.call(http, deny.port(), token, 3, "synthesize");
        assertThat(denied.errorCode()).isEqualTo(-32010);
        assertThat(denied.json().toString()).contains("spend ledger (redis) unavailable");
        assertThat(BudgetFixture.call(http, stale.port(), token, 4, "synthesize").json().has("result")).isTrue();
        assertThat(stale.gateway().services().budgets().cache().staleUses()).isPositive();
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void sharedRateLimitCountsCallsOnEveryReplica() throws Exception {
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: search-rate
                    condition: {all: [{tool: search}, {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 3, per: [tenant]}}}]}
                    action: deny
                """);
        List<RunningGateway> replicas = replicas(2, "rate-limits: {store: redis}");
        String token = fixture.token("acme", "t");

        int allowed = 0;
        for (int i = 0; i < 8; i++) {
            allowed += BudgetFixture.call(http, replicas.get(i % 2).port(), token, i + 1, "search").json().has("result") ? 1 : 0;
        }

        assertThat(allowed).isEqualTo(3);
        assertThat(upstream.received()).hasSize(3);
    }
}
