package dev.tollgate.gateway.budget;

/** What a rule's "not yet" answer obliges the gateway to secure before forwarding (see CallFacts). */
sealed interface Obligation {

    String rule();

    /** Hold the call's cost against the rule's budget limit. */
    record BudgetHold(String rule, long limitMicros) implements Obligation {
    }

    /** Take one token from the rule's bucket for this key; {@code tenant} and {@code owner}: see CallFacts#rateLimited. */
    record RateToken(String rule, String tenant, String owner, String key, double perSecond, long burst) implements Obligation {
    }
}
