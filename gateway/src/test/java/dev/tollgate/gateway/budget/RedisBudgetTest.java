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
 * the budget; cached mode stays within its documented bound; a Redis outage denies (fail closed) or
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

    private List<RunningGateway> replicas(int count, String budgets) throws Exception {
        for (int i = 0; i < count; i++) {
            gateways.add(RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                    "redis: {uri: \"" + redis.uri() + "\", timeout: 200ms}\n" + budgets)));
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
    }

    @Test
    void cachedModeOvershootsByAtMostWhatTheOtherReplicaChargedWithinOneCacheAge() throws Exception {
        List<RunningGateway> replicas = replicas(2, "budgets: {ledger: redis, mode: cached, cache-ttl: 10s, pricing: PRICING}");

        int[] allowed = burst(replicas, fixture.token("acme", "cached-tree"), 40);

        // Each replica alone never passes the limit (its own charges are added to its read) ...
        assertThat(allowed[0]).isLessThanOrEqualTo(10);
        assertThat(allowed[1]).isLessThanOrEqualTo(10);
        // ... and together they overshoot by at most what the other one charged since its read: here, the
        // whole burst falls within one cache age, so the bound is the other replica's share.
        long expected = (allowed[0] + allowed[1]) * 300_000L;
        await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redisSpent(replicas.get(0), "cached-tree")).isEqualTo(expected));
        long total = expected;
        assertThat(total - 3_000_000).isLessThanOrEqualTo(Math.min(allowed[0], allowed[1]) * 300_000L);
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
