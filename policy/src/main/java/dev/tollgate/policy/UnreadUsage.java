package dev.tollgate.policy;

import java.util.Set;
import java.util.TreeSet;

/**
 * The facts of a dry run that has no live usage to read (explain, "why?"): nothing spent, no bucket empty, no earlier tool
 * call in the run (AGT's {@code tool_call_count} 0). A budget or
 * rate-limit check is decided as "not over", where {@link CallFacts#NONE} would throw and make its rule a fail-closed
 * deny: explain then called every call a rate-limited deny rule covers denied, the first of the day included, which the
 * gateway forwards (review CB). The rules that asked are kept, so the explanation can say what it did not evaluate.
 * One instance per explained call (not thread-safe).
 */
public final class UnreadUsage implements CallFacts {

    private final Set<String> rulesAsking = new TreeSet<>();

    @Override
    public boolean overBudget(String rule, long limitMicros) {
        rulesAsking.add(rule);
        return false;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        rulesAsking.add(rule);
        return false;
    }

    private boolean toolCallCountRead;

    /** A run's first call: explain has no run (an AGT {@code tool_call_count} rule would otherwise deny, fail closed). */
    @Override
    public long toolCallCount() {
        toolCallCountRead = true;
        return 0;
    }

    /** Whether an AGT condition read {@code tool_call_count}, taken as 0. */
    public boolean toolCallCountRead() {
        return toolCallCountRead;
    }

    /** The rules whose budget or rate-limit check was taken as not over (empty when none was reached). */
    public Set<String> rulesAsking() {
        return Set.copyOf(rulesAsking);
    }
}
