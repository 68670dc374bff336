package dev.tollgate.gateway.budget;

import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.budget.Usd;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts of one evaluation: the spend read before it, the call's estimated cost and whether its tool is
 * pinned. Answers from memory and notes the obligations (holds, tokens) the gateway secures after the decision.
 */
public final class BudgetFacts implements CallFacts {

    private final SpendView view;
    private final long costMicros;
    private final List<Obligation> obligations = new ArrayList<>(2);
    /** The budget checks answered "over" (no hold noted for them); kept for a held call's recheck (ApprovalRecheck). */
    private List<Obligation.BudgetHold> overAnswered;
    private final boolean toolPinned;
    /** An A2A call's declared skill as the gateway knows it; null for MCP calls, whose tool the server is bound by. */
    private final DeclaredSkill skill;
    /** Whether the call is an A2A send whose skill the gateway does not know (read fail closed by metering rules). */
    private final boolean toolUnknown;
    private String overDetail;
    /** What this call already holds in the spend read (an ask-client retry's hold, taken over from its question). */
    private long alreadyHeldMicros;
    /** The run's earlier tool calls ({@link #toolCallCount}), or -1 when none was counted for this evaluation. */
    private long toolCallCount = -1;

    /** @param view the spend read for this call, or null when none was read (the policy has no budget rule) */
    public BudgetFacts(SpendView view, long costMicros) {
        this(view, costMicros, false);
    }

    /** @param toolPinned whether the call's tool is pinned (the route's manifest holds its listed definition) */
    public BudgetFacts(SpendView view, long costMicros, boolean toolPinned) {
        this(view, costMicros, toolPinned, null, false);
    }

    private BudgetFacts(SpendView view, long costMicros, boolean toolPinned, DeclaredSkill skill, boolean toolUnknown) {
        this.view = view;
        this.costMicros = costMicros;
        this.toolPinned = toolPinned;
        this.skill = skill;
        this.toolUnknown = toolUnknown;
    }

    /**
     * An A2A call's facts. A send ({@code priced}) costs its skill's estimate and, when the gateway does not know the
     * skill, is read by metering rules as any skill ({@link #toolUnknown}); any A2A call keys per-tool rate limits by
     * {@link DeclaredSkill#bucket}. Other calls (task reads, cancels) cost nothing and keep their tool's reading: a
     * {@code tasks/get} poll is no run of the research skill.
     */
    public static BudgetFacts ofA2a(SpendView view, DeclaredSkill skill, boolean priced, boolean toolPinned) {
        return new BudgetFacts(view, priced ? skill.estimateMicros() : 0, toolPinned, skill, priced && !skill.known());
    }

    @Override
    public boolean toolUnknown() {
        return toolUnknown;
    }

    @Override
    public String toolBucket(String tool) {
        return skill == null ? tool : skill.bucket();
    }

    @Override
    public boolean toolPinned() {
        return toolPinned;
    }

    /** The run's earlier tool calls, as counted when the call was taken ({@code ToolCallCounts}). */
    public void toolCallCount(long count) {
        this.toolCallCount = count;
    }

    @Override
    public long toolCallCount() {
        if (toolCallCount < 0) {
            return CallFacts.super.toolCallCount(); // not counted here: fail closed
        }
        return toolCallCount;
    }

    @Override
    public boolean overBudget(String rule, long limitMicros) {
        if (view == null) {
            throw new IllegalStateException("no spend was read for this call");
        }
        if (view.unavailable() != null) {
            throw new IllegalStateException(view.unavailable());
        }
        long spent = view.effectiveMicros() - alreadyHeldMicros;
        if (spent >= limitMicros || spent + costMicros > limitMicros) {
            overDetail = BudgetMessages.over(spent, costMicros, limitMicros);
            if (overAnswered == null) {
                overAnswered = new ArrayList<>(1);
            }
            overAnswered.add(new Obligation.BudgetHold(rule, limitMicros));
            return true;
        }
        obligations.add(new Obligation.BudgetHold(rule, limitMicros));
        return false;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        return rateLimited(rule, key, key, perSecond, burst);
    }

    @Override
    public boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
        return rateLimited(rule, owner, owner, key, perSecond, burst);
    }

    @Override
    public boolean rateLimited(String rule, String tenant, String owner, String key, double perSecond, long burst) {
        obligations.add(new Obligation.RateToken(rule, tenant, owner, key, perSecond, burst));
        return false;
    }

    /**
     * This call already holds {@code micros} in this gateway's account, which the spend read counts: an ask-client retry
     * that took over its question's hold ({@link Budgets#takeOverQuestionHold}) is decided on the spend without it, as
     * the held call it continues was.
     */
    public void alreadyHolding(long micros) {
        this.alreadyHeldMicros = micros;
    }

    List<Obligation> obligations() {
        return obligations;
    }

    /**
     * How this evaluation answered {@code rule}'s budget check of {@code limitMicros}: TRUE over (no hold noted), FALSE
     * within (a hold noted: what the call secured), null when it was not asked.
     */
    public Boolean budgetAnswer(String rule, long limitMicros) {
        Obligation.BudgetHold check = new Obligation.BudgetHold(rule, limitMicros);
        return obligations.contains(check) ? Boolean.FALSE : overAnswered != null && overAnswered.contains(check) ? Boolean.TRUE : null;
    }

    /** Whether this evaluation noted a token of {@code rule}'s bucket for exactly this key and rate (what the call secured). */
    public boolean notedRateToken(String rule, String tenant, String owner, String key, double perSecond, long burst) {
        return obligations.contains(new Obligation.RateToken(rule, tenant, owner, key, perSecond, burst));
    }

    /**
     * The rate-limit tokens this evaluation noted, each as a short digest of its rule, bucket key and rate (the same on
     * every replica): what an ask-client question leg secured, sealed into its requestState so that its retry can tell
     * a limit reloaded since from one the question already took a token for.
     */
    public java.util.Set<String> rateTokenDigests() {
        java.util.Set<String> digests = new java.util.TreeSet<>();
        for (Obligation obligation : obligations) {
            if (obligation instanceof Obligation.RateToken token) {
                digests.add(RateTokenDigest.of(token));
            }
        }
        return digests;
    }

    public boolean hasObligations() {
        return !obligations.isEmpty();
    }

    /** Why a budget rule matched ("spent $9.80 + this call $0.50 > limit $10.00"), or null. */
    public String overDetail() {
        return overDetail;
    }

    /** Why spend is unknown, or null. */
    public String unavailable() {
        return view == null ? null : view.unavailable();
    }

    public SpendView view() {
        return view;
    }

    public long costMicros() {
        return costMicros;
    }

    static String usd(long micros) {
        return Usd.format(micros);
    }
}
