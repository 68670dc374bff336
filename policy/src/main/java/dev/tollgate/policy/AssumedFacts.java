package dev.tollgate.policy;

/**
 * Facts given by hand, for policy test cases and dry runs: "this tree has spent $9.80, this call costs
 * $0.30, the buckets are (not) empty, the run made 6 tool calls before this one". Answers as the gateway would before
 * securing its obligations.
 *
 * @param toolCallCount AGT's {@code tool_call_count} ({@link CallFacts#toolCallCount}); 0 (a run's first call) unless stated
 */
public record AssumedFacts(long spentMicros, long costMicros, boolean bucketsEmpty, long toolCallCount) implements CallFacts {

    public AssumedFacts(long spentMicros, long costMicros, boolean bucketsEmpty) {
        this(spentMicros, costMicros, bucketsEmpty, 0);
    }

    @Override
    public boolean overBudget(String rule, long limitMicros) {
        return spentMicros >= limitMicros || spentMicros + costMicros > limitMicros;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        return bucketsEmpty;
    }
}
