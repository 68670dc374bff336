package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ask-client question's hold parked in the Redis ledger (strict mode): it outlives hold-expiry until the requestState's
 * expiry, and two replicas (here two ledgers on one Redis) sending the same retry take it over once between them.
 */
class RedisQuestionHoldTest {

    private static final long LIMIT = 500_000;
    private final SpendKey key = new SpendKey("acme", "tree-q");
    private Vertx vertx;
    private RedisServer redis;
    private RedisSpendLedger a;
    private RedisSpendLedger b;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
        a = ledger();
        b = ledger();
    }

    private RedisSpendLedger ledger() {
        return new RedisSpendLedger(new RedisStore(vertx, new RedisConfig(redis.uri(), "q", Duration.ofSeconds(2), 4)), Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aParkedHoldOutlivesHoldExpiryAndIsTakenOverOnceAcrossReplicas() throws Exception {
        Reservation question = a.reserve(key, 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(a.park(question, Instant.now().plusSeconds(60), true).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(a.holdsRenewing()).as("parked, not renewed by its replica").isZero();

        Thread.sleep(1_500); // past hold-expiry (1 s): a reserve now sweeps every lapsed hold
        assertThat(b.reserve(key, 250_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS).granted())
                .as("the parked $0.30 is still held: $0.25 more passes $0.50").isFalse();

        List<Future<Reservation>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            claims.add((i % 2 == 0 ? a : b).claim(key, question.id(), "retry-" + i));
        }
        int taken = 0;
        for (Future<Reservation> claim : claims) {
            Reservation hold = claim.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (hold != null) {
                taken++;
                assertThat(hold.micros()).isEqualTo(300_000);
                assertThat(hold.id()).isEqualTo(question.id());
            }
        }
        assertThat(taken).as("one retry takes the hold over, whichever replica it reaches").isEqualTo(1);
        assertThat(a.holdsRenewing() + b.holdsRenewing()).as("its taker renews it while the call runs").isEqualTo(1);
    }

    @Test
    void aSettledHoldIsNotTakenOver() throws Exception {
        Reservation question = a.reserve(key, 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.park(question, Instant.now().plusSeconds(60), true).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.release(question).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(b.claim(key, question.id(), "retry").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aClaimantWhoseReplyWasLostGetsItsClaimAgainAndNoOneElseDoes() throws Exception {
        Reservation question = a.reserve(key, 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.park(question, Instant.now().plusSeconds(60), true).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(b.claim(key, question.id(), "retry-1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(b.claim(key, question.id(), "retry-1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("the same claimant asking again (its reply lost)").isNotNull();
        assertThat(a.claim(key, question.id(), "retry-2").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("another claimant").isNull();
    }

    @Test
    void aClaimedHoldIsNeverClaimableAgainEvenOnceItsMarkerIsGoneOrItIsKeptAgain() throws Exception {
        Reservation question = a.reserve(key, 300_000, LIMIT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.park(question, Instant.now().plusSeconds(60), true).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(b.claim(key, question.id(), "retry-1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNotNull();

        assertThat(a.park(question, Instant.now().plusSeconds(30), false).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("a later keep (the approval's yes) leaves a claimed hold to its claimer").isFalse();
        assertThat(a.claim(key, question.id(), "replay").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();

        // The claimed call runs longer than the marker lives (review AZ): the hold, renewed by its claimer, stays its.
        io.vertx.redis.client.Redis client = io.vertx.redis.client.Redis.createClient(vertx, redis.uri());
        try {
            var keys = client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.KEYS).arg("*claimed:*"))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(keys.size()).isEqualTo(1);
            client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL).arg(keys.get(0).toString()))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
        assertThat(a.claim(key, question.id(), "replay").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("a replay once the marker is gone").isNull();
    }
}
