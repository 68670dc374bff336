package dev.tollgate.policy.budget;

import java.util.concurrent.CompletionStage;

/**
 * A ledger that can hold an amount against a limit atomically (strict mode): the check and the hold are
 * one step in the ledger, so no number of concurrent calls, on any number of gateways, can take a tree's
 * spend plus outstanding holds past the limit. A hold is settled exactly once: committed with the actual
 * cost, or released. Holds carry an expiry, so one left by a gateway that died is released by the ledger.
 */
public interface ReservingLedger extends SpendLedger {

    /** Holds {@code micros} if spend + holds + micros stays within {@code limitMicros}; refused otherwise. */
    CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros);

    /** Ends a granted hold and records {@code actualMicros} as spent, in one step. */
    CompletionStage<Void> commit(Reservation reservation, long actualMicros);

    /** Ends a granted hold without spending (the call failed or was cancelled). */
    CompletionStage<Void> release(Reservation reservation);
}
