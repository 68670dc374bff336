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
     * As {@link #rateLimited(String, String, String, double, long)}, naming the owner's tenant too ({@link TenantKey}):
     * every bucket counts against its tenant's share of the store, whatever the rule is keyed by, so one tenant's
     * sub-users, agents or runs cannot fill the table every other tenant's buckets live in (review AG).
     */
    default boolean rateLimited(String rule, String tenant, String owner, String key, double perSecond, long burst) {
        return rateLimited(rule, owner, key, perSecond, burst);
    }

    /**
     * True when the call's tool (an A2A call's skill) is pinned: its route keeps a reviewed manifest of tool
     * definitions and the definition the upstream lists is the reviewed one. False when the route pins nothing, when
     * the call names no tool, and wherever the gateway's state is not at hand (explain, replay, policy tests).
     */
    default boolean toolPinned() {
        return false;
    }

    /**
     * True when the call's tool is a label its callee is not bound by and the gateway does not know: an A2A send that
     * declares no skill, or one its route neither prices nor pins ({@code metadata.skillId} is a convention; the agent
     * picks its skill from the text). Then every deny rule holding a {@code budget} or {@code rate_limit} check reads its
     * {@code tool:} conditions as holding wherever that makes it match, so leaving the label out or making one up
     * escapes no metered rule. Good: a send labelled nothing meets the {@code {tool: research}} budget. Bad: returning
     * true for an MCP {@code tools/call}, whose tool the server is bound by (an unknown tool fails there).
     */
    default boolean toolUnknown() {
        return false;
    }

    /**
     * What a {@code rate_limit} keyed {@code per: tool} keys this call by: its tool, or null (keyed "-", one bucket)
     * for a tool the gateway does not know ({@link #toolUnknown}), so a new label per message is not a new bucket.
     * An implementation may name a coarser bucket (the glob a skill is priced by).
     */
    default String toolBucket(String tool) {
        return toolUnknown() ? null : tool;
    }

    /**
     * AGT's {@code tool_call_count}: how many tool calls (MCP {@code tools/call}, A2A message sends) this call's run made
     * through the gateway before this call and the gateway let through, as AGT's hosts count a session's calls (the
     * Nth call sees N-1; a denied call is not counted). The gateway's fact, never the caller's: counted per run
     * ({@code ToolCallCounts} in the gateway says what a run is).
     *
     * @throws IllegalStateException where the gateway's counts are not at hand (explain, replay, policy tests without
     *                               facts): a rule reading it denies, fail closed
     */
    default long toolCallCount() {
        throw new IllegalStateException("no tool-call count: the run's earlier tool calls are known only to the gateway deciding the call");
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
