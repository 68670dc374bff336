package dev.tollgate.policy.condition;

/**
 * A compiled {@code matches} pattern: {@code find} searches anywhere in the text, in bounded time whatever the
 * text. Each implementation bounds it its own way and fails closed when it cannot answer within the bound
 * ({@link dev.tollgate.policy.RegexInputTooLongException}, {@link dev.tollgate.policy.RegexStepBudgetException}).
 */
public sealed interface PolicyRegex permits LinearRegex, BacktrackingRegex, TwoEngineRegex {

    /**
     * Whether the pattern occurs in the text.
     *
     * @throws dev.tollgate.policy.RegexInputTooLongException when the text is longer than the pattern may scan
     * @throws dev.tollgate.policy.RegexStepBudgetException  when a backtracking search runs out of steps
     */
    boolean find(String text);

    /** The longest text this pattern searches at all. */
    int maxInputChars();
}
