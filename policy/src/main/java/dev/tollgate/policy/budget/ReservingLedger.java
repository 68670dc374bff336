package dev.tollgate.policy.budget;

import java.util.concurrent.CompletionStage;

/**
 * A ledger that can hold an amount against a limit atomically (strict mode): the check and the hold are
 * one step in the ledger, so no number of concurrent calls, on any number of gateways, can take a tree's
 * spend plus outstanding holds past the limit. A hold is settled once: committed with the actual cost, or
 * released. A settle that failed or timed out may have landed, so the gateway retries it with the same
 * reservation, and the ledger must settle each hold id once however often it is sent (good: a marker per
 * hold id; bad: subtracting the hold and adding the cost on every call). Holds carry an expiry, so one
 * left by a gateway that died is released by the ledger; the gateway holding it keeps it alive while its
 * call runs, and a commit arriving after the hold expired still records the cost.
 */
public interface ReservingLedger extends SpendLedger {

    /** Holds {@code micros} if spend + holds + micros stays within {@code limitMicros}; refused otherwise. */
    CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros);

    /** Ends a granted hold and records {@code actualMicros} as spent, in one step. */
    CompletionStage<Void> commit(Reservation reservation, long actualMicros);

    /** Ends a granted hold without spending (the call failed or was cancelled). */
    CompletionStage<Void> release(Reservation reservation);
}
