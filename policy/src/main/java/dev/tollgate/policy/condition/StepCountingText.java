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

    StepCountingText(String text, long budget) {
        this.text = text;
        this.remaining = budget;
        this.length = text.length();
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
        if (--remaining < 0) {
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
