package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.gateway.budget.Secured;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.Decision;

/**
 * Denials that name figures: a budget rule's deny says the spend, the call's cost and the limit; an
 * unknown spend says why it is unknown. Decisions are otherwise shared instances; these few are built
 * per call, on the deny path only.
 */
final class BudgetDenials {

    private BudgetDenials() {
    }

    static Decision explained(Decision decision, BudgetFacts facts) {
        if (decision == null || !decision.isDenied()) {
            return decision;
        }
        if (facts.overDetail() != null) {
            String message = decision.message() == null ? facts.overDetail() : decision.message() + ": " + facts.overDetail();
            return new Decision(decision.action(), decision.ruleName(), message, decision.policyName(), decision.mode(), decision.failure());
        }
        // A rule whose condition threw (its budget check, with spend unavailable): say so rather than "could not be evaluated".
        if (facts.unavailable() != null && decision.failure() == Decision.Failure.CONDITION_ERROR) {
            return new Decision(decision.action(), decision.ruleName(), facts.unavailable(), decision.policyName(), decision.mode(),
                    decision.failure());
        }
        return decision;
    }

    /** The allowing decision replaced by a deny of the rule whose obligation was refused, in the same policy and mode. */
    static Decision refused(Decision allowing, Secured.Refused refused) {
        return new Decision(Action.DENY, refused.rule(), refused.message(), allowing.policyName(), allowing.mode());
    }
}
