package dev.tollgate.policy;

import dev.tollgate.policy.condition.Condition;

/**
 * One rule, compiled. Its decisions are built here once, so evaluation returns a shared instance.
 *
 * @param order position in the file, breaking priority ties (earlier wins)
 */
public record CompiledRule(String name, String description, int priority, int order, Condition condition, Action action,
                           String message, Decision decision, Decision errorDecision) {

    static CompiledRule of(String name, String description, int priority, int order, Condition condition, Action action,
                           String message, String policyName, Mode mode) {
        return new CompiledRule(name, description, priority, order, condition, action, message,
                new Decision(action, name, message, policyName, mode),
                // Fail closed: a condition that cannot be evaluated counts as a match of a deny.
                new Decision(Action.DENY, name, "condition could not be evaluated; denied (fail closed)", policyName, mode));
    }
}
