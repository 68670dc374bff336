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

    /**
     * The ledger's spend without this gateway's own confirmed charges, never below 0 (review BJ): a ledger answering less
     * than this gateway had confirmed writing lost data (Redis restarted without persistence, a failover to a replica
     * that missed the last writes, a deleted or evicted spend hash, a lagging HTTP ledger replica). The difference is
     * not taken off this gateway's own charges: one replica never forgets what it spent itself. So deleting a tree's
     * key does not reset it on replicas that charged it (they still count their own charges until restarted).
     */
    long base() {
        return Math.max(ledgerMicros, acknowledgedAtRead) - acknowledgedAtRead;
    }

    /** Whether the ledger answered less than this gateway had confirmed writing to it before the read: it lost data. */
    boolean regressed() {
        return ledgerMicros < acknowledgedAtRead;
    }
}
