package dev.tollgate.gateway.budget;

/**
 * The spend a call is decided on: a reading, possibly stale (the ledger failed and the configuration
 * allows deciding on a recent cached value), or the reason it is unknown (then budget rules deny).
 */
public record SpendView(SpendReading reading, boolean stale, String unavailable) {

    static SpendView fresh(SpendReading reading) {
        return new SpendView(reading, false, null);
    }

    static SpendView stale(SpendReading reading) {
        return new SpendView(reading, true, null);
    }

    public static SpendView unavailable(String reason) {
        return new SpendView(null, false, reason);
    }

    public long effectiveMicros() {
        return reading.effectiveMicros();
    }

    /** Whether this spend counts {@code charge}'s hold: it is held in the account the reading adds to the ledger's spend. */
    public boolean counts(CallCharge charge) {
        return reading != null && charge.local() && reading.account() == charge.account();
    }
}
