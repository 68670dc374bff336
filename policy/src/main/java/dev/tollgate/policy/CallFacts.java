package dev.tollgate.policy;

/**
 * What the {@code budget} and {@code rate_limit} checks ask about state that lives outside the policy (a
 * spend ledger, token buckets). The gateway fetches that state before evaluation, so answering is a field
 * read, never I/O. A "no" answer is not final: the implementation notes an obligation (hold this budget,
 * take this token) that the gateway must secure atomically after the decision and before forwarding; if it
 * cannot, the call is denied by the same rule. That keeps evaluation pure and fast while the enforcement
 * stays exact where it must be (a strict budget, a shared rate limit).
 *
 * <p>Implementations are used by one evaluation on one thread. Throwing means "cannot know": the rule
 * then matches as a deny (fail closed).
 */
public interface CallFacts {

    /**
     * True when this call would take its spawn tree's spend past {@code limitMicros} (micro-USD) as far as
     * the gateway knows now; when false, the gateway holds the call's cost against the limit before
     * forwarding.
     *
     * @param rule the rule asking, named in the denial when the hold fails
     * @throws IllegalStateException when the spend is unknown (no ledger, ledger unreachable, no spawn tree)
     */
    boolean overBudget(String rule, long limitMicros);

    /**
     * True when the bucket identified by {@code key} is known to be empty; when false, the gateway takes a
     * token before forwarding.
     *
     * @param key       the bucket: the rule and the values it is keyed by (tenant, agent, tool...)
     * @param perSecond refill rate in tokens per second
     * @param burst     bucket capacity
     */
    boolean rateLimited(String rule, String key, double perSecond, long burst);

    /**
     * As {@link #rateLimited(String, String, double, long)}, naming the bucket's owner too: in a rule keyed by what
     * the call names (tool, method, route) the rule and the caller; otherwise the key itself. A caller can name a new
     * tool with every call; a store bounds how many buckets one owner holds, so one caller cannot fill the table every
     * other caller's buckets live in.
     */
    default boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
        return rateLimited(rule, key, perSecond, burst);
    }

    /**
     * True when the call's tool (an A2A call's skill) is pinned: its route keeps a reviewed manifest of tool
     * definitions and the definition the upstream lists is the reviewed one. False when the route pins nothing, when
     * the call names no tool, and wherever the gateway's state is not at hand (explain, replay, policy tests).
     */
    default boolean toolPinned() {
        return false;
    }

    /** Facts for evaluations with no gateway state behind them (explain, replay, policy tests): fail closed. */
    CallFacts NONE = new CallFacts() {
        @Override
        public boolean overBudget(String rule, long limitMicros) {
            throw new IllegalStateException("no spend ledger: budget rule " + rule + " cannot be evaluated");
        }

        @Override
        public boolean rateLimited(String rule, String key, double perSecond, long burst) {
            throw new IllegalStateException("no rate-limit state: rule " + rule + " cannot be evaluated");
        }
    };
}
