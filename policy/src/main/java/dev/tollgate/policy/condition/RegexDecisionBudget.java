package dev.tollgate.policy.condition;

/**
 * The characters all backtracking searches of one decision may read together ({@link #MAX_DECISION_STEPS}), beside each
 * search's own {@link BacktrackingRegex#MAX_REGEX_BACKTRACK_STEPS}. Each search is bounded on its own, but a document
 * with many backtracking patterns (AGT's ATR pack: 1,555) runs dozens of them on one large argument, each within its
 * budget, and nothing bounded their sum: a call could hold the event loop for a hundred milliseconds and more (review
 * BI). Once the decision's budget is spent, the search running out throws {@link dev.tollgate.policy.RegexStepBudgetException}
 * and its rule denies (fail closed, {@code regex_step_budget}), as for one search out of steps.
 *
 * <p>Kept per thread: a decision runs on one thread from start to end (the event loop), and
 * {@link dev.tollgate.policy.CompiledPolicy} opens it ({@link #begin}) and closes it ({@link #end}) around each decision.
 * Outside a decision (a search made by a detector or a test directly) only the per-search budget applies. No allocation
 * per decision: one holder per thread, made on its first decision.
 */
public final class RegexDecisionBudget {

    /**
     * Characters one decision's backtracking searches may read in all: four times one search's budget, at 4 to 25 ns a
     * read (see {@link BacktrackingRegex#MAX_REGEX_BACKTRACK_STEPS}) 1.6 ms for most patterns, about 10 ms at worst. A
     * benign 1 KiB argument needs at most 42,000 reads on any ATR pattern, and few patterns get past the literal
     * prefilter, so ordinary calls stay far below it.
     */
    public static final long MAX_DECISION_STEPS = 5 * BacktrackingRegex.MAX_REGEX_BACKTRACK_STEPS;

    private static final ThreadLocal<RegexDecisionBudget> CURRENT = ThreadLocal.withInitial(RegexDecisionBudget::new);

    /** Open decisions on this thread (a decision made within another shares its budget). */
    private int depth;
    private long remaining;
    private long spent;

    private RegexDecisionBudget() {
    }

    /** Opens a decision on this thread: a full budget, unless one is already open (then the outer one's is shared). */
    public static void begin() {
        RegexDecisionBudget budget = CURRENT.get();
        if (budget.depth++ == 0) {
            budget.remaining = MAX_DECISION_STEPS;
            budget.spent = 0;
        }
    }

    /** Closes the decision {@link #begin} opened. */
    public static void end() {
        CURRENT.get().depth--;
    }

    /** Characters read by the backtracking searches of this thread's open decision, or of its last one. */
    public static long spent() {
        return CURRENT.get().spent;
    }

    /** This thread's budget (null outside a decision). */
    static RegexDecisionBudget current() {
        RegexDecisionBudget budget = CURRENT.get();
        return budget.depth > 0 ? budget : null;
    }

    /** What is left of the decision's budget for the next search (its reads and the start positions it examines). */
    long left() {
        return Math.max(remaining, 0);
    }

    void spend(long steps) {
        remaining -= steps;
        spent += steps;
    }
}
