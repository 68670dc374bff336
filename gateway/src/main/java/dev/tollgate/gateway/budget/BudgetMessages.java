package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.Usd;

/** The wording of budget denials: always the spend, the call's cost and the limit, in dollars. */
final class BudgetMessages {

    private BudgetMessages() {
    }

    static String over(long spentMicros, long costMicros, long limitMicros) {
        return "spawn tree spend " + Usd.format(spentMicros) + " + this call " + Usd.format(costMicros)
                + " exceeds the budget of " + Usd.format(limitMicros);
    }

    static String rateLimited(String key, double perSecond, long burst) {
        return "rate limit reached for " + key + " (" + String.format(java.util.Locale.ROOT, "%.3g", perSecond)
                + " calls/s, burst " + burst + ")";
    }
}
