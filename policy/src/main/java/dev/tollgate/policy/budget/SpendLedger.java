package dev.tollgate.policy.budget;

import java.util.concurrent.CompletionStage;

/**
 * Where spend per spawn tree is kept: read before deciding, recorded after a call is answered. Calls are
 * asynchronous and must never block the calling thread (the gateway calls them from its event loops);
 * implementations apply their own timeouts and fail the stage instead of hanging.
 */
public interface SpendLedger extends AutoCloseable {

    /** The tree's total recorded spend in micro-USD (0 for a tree never seen). */
    CompletionStage<Long> spent(SpendKey key);

    /**
     * Adds {@code micros} to the tree's spend, once per {@code writeId}. A write that timed out may still
     * have landed; the gateway retries it with the same id, and the ledger must not count it twice.
     */
    CompletionStage<Void> record(SpendKey key, long micros, String writeId);

    /** Short name for metrics and logs: memory, http, redis. */
    String kind();

    @Override
    default void close() {
    }
}
