package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget holds of 2026-07-28 ask-client questions, parked until the retry carrying the user's answer takes them over:
 * the question's call is held for approval, and as a held 2025 call keeps its hold while a person decides, an approved
 * call must not find its budget spent by calls made while the user decided (review AW). A parked hold is neither paid
 * nor released when the question is answered; its reference is sealed in the requestState, and the retry takes it over
 * once ({@link #takeOver}): settled as its own charge, paid if forwarded, released if refused.
 *
 * <p>Two kinds. A hold in the Redis ledger (strict mode) stays in Redis, findable by id from any replica, with its expiry
 * pushed to the requestState's; one claim takes it (a Redis marker set when it is parked, naming its claimant once
 * claimed, so two replicas never both do, however long the claimed call runs). Any other hold (this
 * gateway's account in cached mode, the in-memory ledger's) is parked here, taken by removing it from the map; a retry
 * reaching another replica does not find it and holds anew. Nobody taking it over, a hold is released when its approval
 * ends without a yes, hold-expiry after it ends with one (the retry carrying the yes is already on its way), or when
 * the state expires.
 */
final class QuestionHolds {

    private static final Logger LOG = LoggerFactory.getLogger(QuestionHolds.class);
    private static final String LOCAL = "l:";
    private static final String REDIS = "r:";

    private final Map<String, CallCharge> parked = new ConcurrentHashMap<>();
    private final RedisSpendLedger redis;
    /** Releases a charge's hold, nothing spent (Budgets#settle). */
    private final Consumer<CallCharge> releaser;

    /** @param redis the Redis ledger when holds are kept there (strict mode), else null */
    QuestionHolds(RedisSpendLedger redis, Consumer<CallCharge> releaser) {
        this.redis = redis;
        this.releaser = releaser;
    }

    /**
     * Parks the hold of {@code charge} until {@code until}; returns the reference to seal in the requestState ({@code
     * l:} or {@code r:} and an id, no space), or null when the charge holds nothing (then nothing is parked).
     */
    String park(CallCharge charge, Instant until) {
        if (charge.reservation() != null && redis != null) {
            keepInRedis(charge.reservation(), until, true);
            // Kept in Redis, where any replica may take it over: no longer held in this gateway's account (the charge is
            // not settled here; whoever takes it over holds it in its own account, review BJ).
            if (charge.local()) {
                charge.account().settle(charge.estimateMicros(), 0);
            }
            return REDIS + charge.reservation().id();
        }
        if (!charge.local() && charge.reservation() == null) {
            return null;
        }
        String id = UUID.randomUUID().toString();
        parked.put(id, charge);
        // Nobody took it over by the state's expiry: no retry can, so it is released (a taken hold is no longer here).
        releaseLocalAt(id, until);
        return LOCAL + id;
    }

    /**
     * Keeps a parked hold no later than {@code until} (its approval ended with a yes: the retry is on its way, or came to
     * another replica, which in cached mode holds anew; a hold kept the state's whole life would only shrink the budget).
     */
    void keepUntil(String ref, SpendKey key, Instant until) {
        if (ref != null && ref.startsWith(LOCAL)) {
            releaseLocalAt(ref.substring(LOCAL.length()), until);
        } else if (ref != null && ref.startsWith(REDIS) && redis != null) {
            keepInRedis(new dev.tollgate.policy.budget.Reservation(key, ref.substring(REDIS.length()), 0, true, 0, 0), until, false);
        }
    }

    private void releaseLocalAt(String id, Instant until) {
        long delay = Math.max(0, Duration.between(Instant.now(), until).toMillis());
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> {
            CallCharge left = parked.remove(id);
            if (left != null) {
                releaser.accept(left);
            }
        });
    }

    private void keepInRedis(dev.tollgate.policy.budget.Reservation hold, Instant until, boolean first) {
        redis.park(hold, until, first).onComplete(ar -> {
            if (ar.failed()) {
                // Not pushed back: the hold lapses after hold-expiry, and a retry later than that holds anew.
                LOG.warn("could not keep the ask-client question's budget hold {} until {}: {}", hold.id(), until, ar.cause().toString());
            }
        });
    }

    /**
     * Takes over a parked hold, once: the charge holding it (for {@code route} and {@code tool}), or null when it is not
     * here, gone, or taken already. Completes on the caller's context.
     */
    Future<CallCharge> takeOver(String ref, SpendKey key, TreeAccount account, String route, String tool) {
        if (ref == null || key == null) {
            return Future.succeededFuture();
        }
        if (ref.startsWith(LOCAL)) {
            String id = ref.substring(LOCAL.length());
            CallCharge charge = parked.get(id);
            // Removed only by its own tree's caller (the seal names the caller: defence in depth), and only once.
            return Future.succeededFuture(charge != null && charge.key().equals(key) && parked.remove(id, charge) ? charge : null);
        }
        if (!ref.startsWith(REDIS) || redis == null) {
            return Future.succeededFuture();
        }
        Context context = Vertx.currentContext();
        String holdId = ref.substring(REDIS.length());
        // One claimant per take-over, asked twice when the first answer is lost: a claim that ran in Redis but whose reply
        // never came is this claimant's all the same (review AZ: it was left claimed by nobody, and the approved retry was
        // refused over budget by its own question's hold until that lapsed).
        String claimant = UUID.randomUUID().toString();
        Future<CallCharge> claimed = redis.claim(key, holdId, claimant)
                .recover(first -> redis.claim(key, holdId, claimant))
                .map(hold -> {
                    if (hold == null) {
                        return null;
                    }
                    // Held in this gateway's account while its call runs, as a hold reserved here is (review BJ).
                    account.hold(hold.micros());
                    return new CallCharge(key, account, route, tool, hold.micros(), true, hold, true);
                })
                .recover(error -> {
                    // Not known to be taken: the retry holds anew (the parked hold lapses when the state expires).
                    LOG.warn("could not take over the ask-client question's budget hold {}: {}", ref, error.toString());
                    return Future.succeededFuture();
                });
        return context == null ? claimed : Future.fromCompletionStage(claimed.toCompletionStage(), context);
    }

    /** Releases a parked hold nobody will take over (its approval ended without a yes); nothing when taken already. */
    void release(String ref, SpendKey key, TreeAccount account) {
        takeOver(ref, key, account, null, null).onSuccess(charge -> {
            if (charge != null) {
                releaser.accept(charge);
            }
        });
    }

    /** Holds parked on this gateway not yet taken over nor released (for tests and metrics). */
    int parkedHere() {
        return parked.size();
    }
}
