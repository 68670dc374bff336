package dev.tollgate.policy;

import dev.tollgate.policy.condition.BacktrackingRegex;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.LinearRegex;

/**
 * One rule, compiled. Its decisions are built here once, so evaluation returns a shared instance.
 *
 * @param order              position in the file, breaking priority ties (earlier wins)
 * @param errorDecision      the fail-closed deny when the condition throws
 * @param regexLimitDecision the fail-closed deny when a value is too long for a regular expression to scan
 * @param regexBudgetDecision the fail-closed deny when a backtracking regular expression runs out of steps
 * @param numberReadingsDecision the fail-closed deny when a value is decided differently exactly, as a double or as an integer
 */
public record CompiledRule(String name, String description, int priority, int order, Condition condition, Action action,
                           String message, Decision decision, Decision errorDecision, Decision regexLimitDecision,
                           Decision regexBudgetDecision, Decision numberReadingsDecision) {

    static CompiledRule of(String name, String description, int priority, int order, Condition condition, Action action,
                           String message, String policyName, Mode mode) {
        return of(name, description, priority, order, condition, action, message, policyName, mode, null);
    }

    /** @param approval for an {@code approve} rule, its terms (null: the defaults) */
    static CompiledRule of(String name, String description, int priority, int order, Condition condition, Action action,
                           String message, String policyName, Mode mode, ApprovalTerms approval) {
        return new CompiledRule(name, description, priority, order, condition, action, message,
                new Decision(action, name, message, policyName, mode, Decision.Failure.NONE, action == Action.APPROVE ? approval : null),
                // Fail closed: a condition that cannot be evaluated counts as a match of a deny.
                new Decision(Action.DENY, name, "condition could not be evaluated; denied (fail closed)", policyName, mode,
                        Decision.Failure.CONDITION_ERROR),
                // Shared by every regex of the rule, so it cannot say which value or its length: explain does.
                new Decision(Action.DENY, name, "a value is longer than this rule's regular expression may scan (at most "
                        + LinearRegex.MAX_REGEX_INPUT_CHARS + " characters, fewer for large patterns); denied (fail closed)", policyName, mode,
                        Decision.Failure.REGEX_INPUT_TOO_LONG),
                new Decision(Action.DENY, name, "a value needs more steps than this rule's regular expression may take (at most "
                        + BacktrackingRegex.MAX_REGEX_BACKTRACK_STEPS + " characters read by one search, "
                        + dev.tollgate.policy.condition.RegexDecisionBudget.MAX_DECISION_STEPS
                        + " by all the backtracking searches of one decision); denied (fail closed)", policyName, mode,
                        Decision.Failure.REGEX_STEP_BUDGET),
                new Decision(Action.DENY, name, "a value in the call reads as one value exactly and as another to some upstreams (a"
                        + " double, as a JavaScript upstream reads a number, the integer a Java long field reads from a fraction or"
                        + " a numeric string, or the text a String field keeps of a number), and this rule decides differently on them; denied (fail closed)",
                        policyName, mode, Decision.Failure.NUMBER_READINGS_DISAGREE));
    }

    /** The same rule deciding with another condition (its decisions shared). */
    CompiledRule withCondition(Condition other) {
        return other == condition ? this : new CompiledRule(name, description, priority, order, other, action, message, decision,
                errorDecision, regexLimitDecision, regexBudgetDecision, numberReadingsDecision);
    }

    /** The preallocated deny for a condition that threw {@code failure}. */
    Decision failureDecision(Throwable failure) {
        if (failure instanceof RegexInputTooLongException) {
            return regexLimitDecision;
        }
        if (failure instanceof NumberReadingsDisagreeException) {
            return numberReadingsDecision;
        }
        return failure instanceof RegexStepBudgetException ? regexBudgetDecision : errorDecision;
    }
}
