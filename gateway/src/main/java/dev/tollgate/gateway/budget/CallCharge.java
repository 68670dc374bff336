package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;

/**
 * One allowed call's claim on its tree's budget, settled exactly once when the call ends: committed with
 * the actual cost on success, released on failure or cancel.
 *
 * @param estimateMicros what was held (the price known before the call)
 * @param local          whether {@code estimateMicros} is held in this gateway's account (cached mode; in strict mode too,
 *                       beside the ledger's hold, until its settle is confirmed or given up)
 * @param reservation    the ledger's hold (strict mode), or null
 * @param priced         whether the call is priced (PricedCalls): an unpriced call a budget rule covered is settled at 0
 */
public record CallCharge(SpendKey key, TreeAccount account, String route, String tool, long estimateMicros, boolean local,
                         Reservation reservation, boolean priced) {

    /** A priced call's charge (tools/call, A2A sends). */
    public CallCharge(SpendKey key, TreeAccount account, String route, String tool, long estimateMicros, boolean local,
                      Reservation reservation) {
        this(key, account, route, tool, estimateMicros, local, reservation, true);
    }
}
