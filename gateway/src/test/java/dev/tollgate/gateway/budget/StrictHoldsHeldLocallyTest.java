package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.config.RateLimitConfig;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.config.TasksConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AF (review BJ, finding 2): a strict-mode hold granted in the ledger is held in this gateway's account too while its
 * call runs, so a degraded local hold (Redis out of reach, allow-stale) counts this gateway's own calls running; and it
 * leaves the account on every way a hold ends (paid, released, given up, parked for an ask-client question, taken over,
 * released unclaimed): a hold left there would shrink the tree's budget on this replica for good.
 */
class StrictHoldsHeldLocallyTest {

    private static final long LIMIT = 3_000_000;
    private static final long PRICE = 300_000;
    private final SpendKey key = new SpendKey("acme", "tree-held");
    private Vertx vertx;
    private RedisServer redis;
    private Budgets budgets;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        RedisStore store = new RedisStore(vertx, new RedisConfig(redis.uri(), "af", Duration.ofSeconds(2), 4));
        budgets = new Budgets(config(BudgetConfig.LedgerKind.REDIS, Duration.ofMinutes(5)),
                new RedisSpendLedger(store, Duration.ofMinutes(5)), new LocalTokenBuckets(RateLimitConfig.DEFAULT), store,
                TasksConfig.DEFAULT_RETENTION);
    }

    private static BudgetConfig config(BudgetConfig.LedgerKind kind, Duration holdExpiry) {
        Duration ttl = Duration.ofMillis(100);
        return new BudgetConfig(true, kind, BudgetConfig.Mode.STRICT, ttl, ttl.multipliedBy(2),
                BudgetConfig.OnLedgerError.ALLOW_STALE, Duration.ofMinutes(1), Duration.ofMillis(250), holdExpiry,
                Duration.ofSeconds(5), null, PricingTable.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        budgets.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static CallCharge secure(Budgets budgets, SpendKey key) throws Exception {
        SpendView view = budgets.view(key, null).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        BudgetFacts facts = new BudgetFacts(view, PRICE);
        assertThat(facts.overBudget("budget", LIMIT)).isFalse();
        Secured secured = budgets.secure(facts, key, "upstream", "synthesize").toCompletionStage().toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(secured).isInstanceOf(Secured.Granted.class);
        return ((Secured.Granted) secured).charge();
    }

    private TreeAccount account() {
        return budgets.cache().account(key);
    }

    @Test
    void aGrantedStrictHoldIsHeldHereUntilItsCallIsPaidOrReleased() throws Exception {
        CallCharge paid = secure(budgets, key);
        CallCharge refused = secure(budgets, key);
        assertThat(account().held()).as("two strict holds running on this gateway").isEqualTo(2 * PRICE);

        budgets.settle(paid, true, 250_000);
        budgets.settle(refused, false, 0);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(account().held()).isZero();
            assertThat(account().charged()).isEqualTo(250_000);
            assertThat(budgets.cache().unacknowledged()).isZero();
        });
    }

    @Test
    void aQuestionsHoldLeavesTheAccountWhenParkedAndComesBackToItsTaker() throws Exception {
        CallCharge question = secure(budgets, key);
        String ref = budgets.parkQuestionHold(question, Instant.now().plusSeconds(60), Instant.now().plusSeconds(30));
        assertThat(ref).startsWith("r:");
        assertThat(account().held()).as("parked in Redis, for whichever replica the retry reaches").isZero();

        CallCharge taken = budgets.takeOverQuestionHold(ref, key, "upstream", "synthesize").toCompletionStage()
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(taken).isNotNull();
        assertThat(account().held()).as("held by the retry that took it over").isEqualTo(PRICE);
        budgets.settle(taken, true, PRICE);

        CallCharge unanswered = secure(budgets, key);
        String other = budgets.parkQuestionHold(unanswered, Instant.now().plusSeconds(60), Instant.now().plusSeconds(30));
        budgets.releaseQuestionHold(other, key);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(budgets.ledger().spent(key).toCompletableFuture().get()).isEqualTo(PRICE);
            assertThat(account().held()).isZero();
            assertThat(account().charged()).isEqualTo(PRICE);
            assertThat(budgets.cache().unacknowledged()).isZero();
        });
        // The unanswered question's hold is released in Redis too: the whole rest of the budget can be held again.
        CallCharge[] rest = new CallCharge[9];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = secure(budgets, key);
        }
        assertThat(account().held()).isEqualTo(9 * PRICE);
        for (CallCharge charge : rest) {
            budgets.settle(charge, false, 0);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(account().held()).isZero());
    }

    @Test
    void aSettleGivenUpLeavesNothingHeldNorChargedHere() throws Exception {
        HoldSettlementsTest.Unreachable ledger = new HoldSettlementsTest.Unreachable();
        ledger.down = true;
        try (Budgets unreachable = Budgets.of(config(BudgetConfig.LedgerKind.MEMORY, Duration.ofMillis(1500)), ledger)) {
            CallCharge charge = secure(unreachable, key);
            TreeAccount account = unreachable.cache().account(key);
            assertThat(account.held()).isEqualTo(PRICE);

            unreachable.settle(charge, true, PRICE);

            await().atMost(Duration.ofSeconds(6)).until(() -> unreachable.settlesAbandoned() == 1);
            assertThat(account.held()).isZero();
            assertThat(unreachable.cache().unacknowledged()).as("nothing left for the drain on stop to wait for").isZero();
            ledger.down = false;
        }
    }
}
