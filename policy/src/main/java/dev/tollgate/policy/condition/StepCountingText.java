package dev.tollgate.policy.condition;

/**
 * The text as java.util.regex sees it, counting every character read. java.util.regex reads its input only
 * through {@link #charAt}, so the count is the work a backtracking search has done; past the budget the read
 * throws and the search is abandoned (the matcher keeps no state worth saving). One instance per search.
 */
final class StepCountingText implements CharSequence {

    /** Thrown to unwind the matcher; a shared, stackless instance: the caller turns it into the real failure. */
    static final RuntimeException OVER_BUDGET = new RuntimeException("regex step budget exceeded", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    private final String text;
    private long remaining;
    private int length;

    /** What is left of the decision's budget (reads and start positions together); unbounded outside a decision. */
    private long shared;
    private final long sharedAtStart;

    StepCountingText(String text, long budget) {
        this(text, budget, Long.MAX_VALUE);
    }

    /**
     * @param shared what is left of the decision's budget ({@link RegexDecisionBudget}), spent by every read and by every
     *               start position examined (a look at one or two characters the matcher does not read through this text)
     */
    StepCountingText(String text, long budget, long shared) {
        this.text = text;
        this.remaining = budget;
        this.length = text.length();
        this.shared = shared;
        this.sharedAtStart = shared;
    }

    /** Counts one start position examined against the decision's budget; throws {@link #OVER_BUDGET} past it. */
    void position() {
        if (--shared < 0) {
            throw OVER_BUDGET;
        }
    }

    /** Whether the decision's budget, rather than this search's own, ran out. */
    boolean outOfSharedBudget() {
        return shared < 0;
    }

    /** What this search spent of the decision's budget. */
    long sharedSpent() {
        return sharedAtStart - Math.max(shared, 0);
    }

    /**
     * From now on the text ends at {@code end}, exactly as if it were {@code text.substring(0, end)}, with the
     * budget left: the search again without a final line break costs what is left, not a new budget.
     */
    void endAt(int end) {
        length = end;
    }

    @Override
    public char charAt(int index) {
        if (--remaining < 0 || --shared < 0) {
            throw OVER_BUDGET;
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        // Only used to extract groups, which a search never does.
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text.substring(0, length);
    }

    boolean overBudget() {
        return remaining < 0;
    }
}
