package dev.tollgate.gateway.budget;

/**
 * One read of a tree's spend from the ledger, and what this gateway added since.
 *
 * @param ledgerMicros       what the ledger answered
 * @param acknowledgedAtRead this gateway's charges the ledger had confirmed before the read started, so
 *                           already inside {@code ledgerMicros}; later charges are added on top (a charge
 *                           confirmed while the read was in flight may count twice: an overestimate, never
 *                           an underestimate)
 */
record SpendReading(long ledgerMicros, long acknowledgedAtRead, long readAtNanos, TreeAccount account) {

    /** The tree's spend as known here: the read, plus own charges since, plus own calls still running. */
    long effectiveMicros() {
        return base() + account.charged() + account.held();
    }

    long base() {
        return ledgerMicros - acknowledgedAtRead;
    }
}
