package dev.tollgate.policy;

/**
 * Facts given by hand, for policy test cases and dry runs: "this tree has spent $9.80, this call costs
 * $0.30, the buckets are (not) empty". Answers as the gateway would before securing its obligations.
 */
public record AssumedFacts(long spentMicros, long costMicros, boolean bucketsEmpty) implements CallFacts {

    @Override
    public boolean overBudget(String rule, long limitMicros) {
        return spentMicros >= limitMicros || spentMicros + costMicros > limitMicros;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        return bucketsEmpty;
    }
}
