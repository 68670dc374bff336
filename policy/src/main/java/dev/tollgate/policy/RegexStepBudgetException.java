package dev.tollgate.policy;

/**
 * A {@code matches} pattern that only a backtracking engine can run (lookaround, backreferences, or too large
 * for RE2/J's scan budget) read more characters than its step budget allows
 * ({@link dev.tollgate.policy.condition.BacktrackingRegex#MAX_REGEX_BACKTRACK_STEPS}): the search was abandoned
 * after about a millisecond, and the rule denies (fail closed) with its own decision
 * ({@link Decision.Failure#REGEX_STEP_BUDGET}). Thrown on caller input, so it carries no stack trace.
 */
public final class RegexStepBudgetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String where;
    private final long budget;

    /**
     * @param where  what was searched, for the message ("argument at /x"); null when unknown
     * @param budget the steps (characters read) the search was allowed
     */
    public RegexStepBudgetException(String where, long budget) {
        this(where, budget, false);
    }

    /**
     * @param ofDecision the budget spent is the decision's, shared by all its backtracking searches
     *                   ({@link dev.tollgate.policy.condition.RegexDecisionBudget}), not this search's own
     */
    public RegexStepBudgetException(String where, long budget, boolean ofDecision) {
        super(ofDecision
                ? (where == null ? "value" : where) + ": the backtracking regular expressions of this decision have read the "
                        + budget + " characters one decision may read in all; denied (fail closed)"
                : (where == null ? "value" : where) + " needs more than the " + budget
                        + " steps this regular expression may take (backtracking); denied (fail closed)", null, false, false);
        this.where = where;
        this.budget = budget;
        this.ofDecision = ofDecision;
    }

    private final boolean ofDecision;

    /** The same failure, saying where the value came from. */
    public RegexStepBudgetException at(String where) {
        return new RegexStepBudgetException(where, budget, ofDecision);
    }

    /** True when the decision's shared budget ran out rather than this search's own. */
    public boolean ofDecision() {
        return ofDecision;
    }

    public String where() {
        return where;
    }

    public long budget() {
        return budget;
    }
}
