package dev.tollgate.bench;

import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.budget.HttpSpendLedger;
import dev.tollgate.gateway.budget.RedisSpendLedger;
import dev.tollgate.gateway.budget.RedisStore;
import dev.tollgate.gateway.budget.ReferenceLedgerServer;
import dev.tollgate.gateway.budget.Secured;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.budget.Usd;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Two figures of the budget path, open loop (calls are issued on schedule whatever the answers do):
 * <ul>
 *   <li>{@code reads}: ledger reads the reference ledger server counts while calls on one spawn tree run
 *       through the cached path (read, hold, settle) at 50, 500 and 5,000 calls/s, TTL 1 s. Goal: at most
 *       one read per TTL.</li>
 *   <li>{@code overshoot}: two replicas (two {@link Budgets}, each with its own Redis client) share one
 *       spawn tree's $10 budget on a real redis-server, calls alternating between them at 50 and 500 calls/s,
 *       each call priced $0.10 and answered 200 ms later; how far the ledger's final spend passes $10 in
 *       cached mode (bound: what the other replica charges within one cache-max-age) and in strict mode (0).</li>
 *   <li>{@code strict}: latency of the strict-mode hold (one Redis Lua script) on a real redis-server on
 *       loopback, against a plain Redis read (HGET) on the same client as the baseline. Goal: p99 <= 0.3 ms.</li>
 * </ul>
 * Usage: {@code java -cp load-tests/target/benchmarks.jar dev.tollgate.bench.BudgetLedgerBench [seconds]}.
 */
public final class BudgetLedgerBench {

    private static final Duration TTL = Duration.ofSeconds(1);

    private BudgetLedgerBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Vertx vertx = Vertx.vertx();
        try {
            reads(vertx, seconds);
            overshoot(vertx);
            strict(vertx, seconds);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static BudgetConfig config(BudgetConfig.Mode mode, BudgetConfig.HttpLedger http) {
        return new BudgetConfig(true, http == null ? BudgetConfig.LedgerKind.REDIS : BudgetConfig.LedgerKind.HTTP, mode, TTL,
                TTL.multipliedBy(2), BudgetConfig.OnLedgerError.DENY, Duration.ZERO, Duration.ofMillis(250), Duration.ofMinutes(5),
                BudgetConfig.DEFAULT_DRAIN_TIMEOUT, http, PricingTable.NONE);
    }

    private static void reads(Vertx vertx, int seconds) throws Exception {
        ReferenceLedgerServer server = new ReferenceLedgerServer(vertx).start(0);
        BudgetConfig.HttpLedger http = new BudgetConfig.HttpLedger(server.spendUrl(), "/spent_usd", server.spendUrl(), "amount_usd");
        System.out.println("ledger reads, cached mode, one spawn tree, TTL " + TTL.toMillis() + " ms, " + seconds + " s per rate");
        System.out.println("calls/s  calls    ledger reads  reads/s  reads per TTL  ledger writes  writes/s");
        for (int rate : new int[] {50, 500, 5000}) {
            Budgets budgets = Budgets.of(config(BudgetConfig.Mode.CACHED, http), new HttpSpendLedger(vertx, http, Duration.ofMillis(250)));
            SpendKey key = new SpendKey("bench", "tree-" + rate);
            long readsBefore = server.reads();
            long writesBefore = server.records();
            long calls = openLoop(vertx, rate, seconds, context -> budgets.view(key, context).onSuccess(view -> {
                BudgetFacts facts = new BudgetFacts(view, 1_000);
                facts.overBudget("bench", Long.MAX_VALUE / 2);
                budgets.secure(facts, key, "bench", "tool").onSuccess(s -> {
                    if (s instanceof Secured.Granted g && g.charge() != null) {
                        budgets.settle(g.charge(), true, 1_000);
                    }
                });
            }));
            Thread.sleep(TTL.toMillis()); // let the last writes land
            long reads = server.reads() - readsBefore;
            long writes = server.records() - writesBefore;
            System.out.printf("%7d  %7d  %12d  %7.2f  %13.2f  %13d  %8.1f%n", rate, calls, reads, reads / (double) seconds,
                    reads / (seconds * 1000.0 / TTL.toMillis()), writes, writes / (double) seconds);
            budgets.close();
        }
        server.close();
    }

    private static void overshoot(Vertx vertx) throws Exception {
        long limit = 10_000_000;
        long cost = 100_000;
        System.out.println();
        System.out.println("overshoot: 2 replicas, one tree, limit $10.00, $0.10 a call answered after 200 ms, TTL "
                + TTL.toMillis() + " ms, cache-max-age " + TTL.multipliedBy(2).toMillis() + " ms, real redis-server");
        System.out.println("mode    calls/s  calls  allowed  ledger spend  overshoot  bound (other replica's charges in one max-age)");
        try (RedisServer redis = RedisServer.start()) {
            for (BudgetConfig.Mode mode : new BudgetConfig.Mode[] {BudgetConfig.Mode.CACHED, BudgetConfig.Mode.STRICT}) {
                for (int rate : new int[] {50, 500}) {
                    Budgets[] replicas = new Budgets[2];
                    for (int i = 0; i < 2; i++) {
                        RedisStore store = new RedisStore(vertx, new RedisConfig(redis.uri(), "bench", Duration.ofMillis(250), 8));
                        replicas[i] = Budgets.of(config(mode, null), new RedisSpendLedger(store, Duration.ofMinutes(5)));
                    }
                    SpendKey key = new SpendKey("bench", "overshoot-" + mode + "-" + rate);
                    AtomicLong allowed = new AtomicLong();
                    AtomicLong sequence = new AtomicLong();
                    // Long enough to spend the budget several times over at the offered rate.
                    int seconds = Math.max(3, (int) (4 * limit / cost / rate));
                    long calls = openLoop(vertx, rate, seconds, context -> {
                        Budgets budgets = replicas[(int) (sequence.getAndIncrement() % 2)];
                        budgets.view(key, context).onSuccess(view -> {
                            BudgetFacts facts = new BudgetFacts(view, cost);
                            if (view.unavailable() != null || facts.overBudget("bench", limit)) {
                                return;
                            }
                            budgets.secure(facts, key, "bench", "tool").onSuccess(s -> {
                                if (s instanceof Secured.Granted g) {
                                    allowed.incrementAndGet();
                                    vertx.setTimer(200, id -> budgets.settle(g.charge(), true, cost));
                                }
                            });
                        });
                    });
                    Thread.sleep(300); // the last calls' answers
                    for (Budgets b : replicas) {
                        b.close(); // waits for the charges to reach Redis
                    }
                    RedisStore reader = new RedisStore(vertx, new RedisConfig(redis.uri(), "bench", Duration.ofMillis(250), 1));
                    RedisSpendLedger ledger = new RedisSpendLedger(reader, Duration.ofMinutes(5));
                    long spent = ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    ledger.close();
                    // The other replica's charges within one cache-max-age, and never more than it can spend itself.
                    long bound = mode == BudgetConfig.Mode.STRICT ? 0
                            : Math.min(limit, rate / 2 * TTL.multipliedBy(2).toMillis() / 1000 * cost);
                    System.out.printf("%-7s %7d  %5d  %7d  %12s  %9s  %s%n", mode.name().toLowerCase(), rate, calls, allowed.get(),
                            Usd.format(spent), Usd.format(Math.max(0, spent - limit)), Usd.format(bound));
                }
            }
        }
    }

    private static void strict(Vertx vertx, int seconds) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisStore store = new RedisStore(vertx, new RedisConfig(redis.uri(), "bench", Duration.ofMillis(250), 8));
            RedisSpendLedger ledger = new RedisSpendLedger(store, Duration.ofMinutes(5));
            SpendKey key = new SpendKey("bench", "strict");
            Histogram hold = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
            Histogram read = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
            int rate = 1000;
            // Warm-up: connections, script cache, JIT.
            openLoop(vertx, rate, 3, context -> timedHold(ledger, key, null));
            openLoop(vertx, rate, seconds, context -> {
                timedHold(ledger, key, hold);
                long start = System.nanoTime();
                ledger.spent(key).whenComplete((v, e) -> record(read, start, e));
            });
            System.out.println();
            System.out.println("strict mode hold (reserve Lua script) vs a plain Redis read, real redis-server on loopback, "
                    + rate + " calls/s for " + seconds + " s");
            System.out.println("operation         count    p50 us   p99 us   p99.9 us   max us");
            print("read (HGET)", read);
            print("hold (reserve)", hold);
            System.out.printf("hold/read p99 ratio: %.2f%n", hold.getValueAtPercentile(99) / (double) read.getValueAtPercentile(99));
            store.close();
        }
    }

    private static void timedHold(RedisSpendLedger ledger, SpendKey key, Histogram histogram) {
        long start = System.nanoTime();
        ledger.reserve(key, 1, Long.MAX_VALUE / 4).whenComplete((r, e) -> {
            if (histogram != null) {
                record(histogram, start, e);
            }
            if (r != null && r.granted()) {
                ledger.commit(r, 1);
            }
        });
    }

    private static void record(Histogram histogram, long start, Throwable error) {
        if (error == null) {
            synchronized (histogram) {
                histogram.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    private static void print(String name, Histogram h) {
        System.out.printf("%-16s %6d  %8.1f  %7.1f  %9.1f  %7.1f%n", name, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    /** Issues {@code rate} calls a second for {@code seconds} on one event loop, on schedule; returns the count issued. */
    private static long openLoop(Vertx vertx, int rate, int seconds, java.util.function.Consumer<Context> call) throws Exception {
        AtomicLong issued = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            vertx.setPeriodic(1, id -> {
                long now = System.nanoTime();
                long due = Math.min(now, end) - start;
                long target = due * rate / 1_000_000_000L;
                while (issued.get() < target) {
                    issued.incrementAndGet();
                    call.accept(context);
                }
                if (now >= end) {
                    vertx.cancelTimer(id);
                    done.countDown();
                }
            });
        });
        done.await(seconds + 30L, TimeUnit.SECONDS);
        return issued.get();
    }
}
