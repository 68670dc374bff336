package dev.tollgate.policy;

/**
 * One rule as {@code explain} saw it.
 *
 * @param matched true for the rule that decided
 * @param reason  why it matched, why not, or that it was not reached
 */
public record RuleTrace(String rule, int priority, boolean matched, String reason) {
}
