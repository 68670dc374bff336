package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.budget.RedisSpendLedger;
import dev.tollgate.gateway.budget.RedisStore;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (medium): in {@code mode: strict} a hold lives {@code hold-expiry} (default 5 min) whether or not the
 * gateway that took it is alive and its call still running: the RESERVE script drops every hold past its expiry, and
 * nothing renews a hold. Calls legitimately outlive it: a call held for approval keeps its hold while it waits
 * (PolicyStage.needsSecuring: "an approved call must not then find the budget spent by calls that came after it"), and
 * the README's own example waits {@code approval: {timeout: 10m}}; an SSE tools/call stream is never cut by
 * response-timeout. Once the hold has lapsed, later calls of the tree are granted the same headroom, and when the
 * first call finally runs its commit records its cost on top: spend passes the limit, which strict mode promises never
 * happens ("spend + holds never pass the limit, across any number of replicas").
 *
 * <p>Input (hold-expiry shortened to 300 ms for the test; the same with 5 min and a 10 min approval): budget $1.00;
 * call A reserves $0.30 and waits for its approver; 500 ms later calls B, C, D reserve $0.30 each; A is approved, runs,
 * and everything commits its $0.30.
 *
 * <p>Gateway accounted: B, C and D granted (A's hold was dropped by B's reserve), ledger spend $1.20 on a $1.00 budget.
 * Should be: one of B/C/D refused, spend at most $1.00.
 *
 * <p>Suggested fix: renew the holds of calls still in flight (a periodic PEXPIRE/ZADD of their expiry by the gateway
 * holding them, e.g. every hold-expiry/3, stopped when settled), so only a dead gateway's holds lapse; or refuse at load
 * a configuration whose approval timeout exceeds hold-expiry, and let an approved call re-reserve (deny if it no longer
 * fits) when its hold has lapsed.
 */
class StrictHoldOutlivedReviewYTest {

    private Vertx vertx;
    private RedisServer redis;
    private RedisSpendLedger ledger;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        ledger = new RedisSpendLedger(new RedisStore(vertx, new RedisConfig(redis.uri(), "t", Duration.ofSeconds(2), 4)),
                Duration.ofMillis(300));
    }

    @AfterEach
    void stop() throws Exception {
        ledger.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private Reservation reserve(SpendKey key) throws Exception {
        return ledger.reserve(key, 300_000, 1_000_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aHoldOfACallStillRunningIsNotHandedToLaterCalls() throws Exception {
        SpendKey key = new SpendKey("acme", "tree-approval");
        Reservation waiting = reserve(key);
        assertThat(waiting.granted()).isTrue();

        Thread.sleep(500); // A waits for its approver (or streams) longer than hold-expiry

        List<Reservation> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            later.add(reserve(key));
        }
        ledger.commit(waiting, 300_000).toCompletableFuture().get(5, TimeUnit.SECONDS); // approved, ran
        long granted = later.stream().filter(Reservation::granted).count();
        for (Reservation r : later) {
            if (r.granted()) {
                ledger.commit(r, 300_000).toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        }
        long spent = ledger.spent(key).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(spent).as("strict spend on a $1.00 budget (%d later calls granted while A was still running)", granted)
                .isLessThanOrEqualTo(1_000_000);
    }
}
