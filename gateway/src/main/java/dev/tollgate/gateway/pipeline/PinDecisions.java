package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.pinning.PinState;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;

/**
 * The denial of a call to a tool that is not pinned on a route that hides such tools. It is made before policy
 * runs (no rule can allow a tool nobody reviewed), under a policy name of its own that the denial, the span, the
 * audit record and the admin page show, and that {@link PolicyDenials} answers with {@code tool_not_pinned}.
 */
final class PinDecisions {

    /**
     * The policy name of pinning denials. Recognised by identity, not by value: a user's policy document that happens
     * to be called the same is a different string object and keeps its own reason.
     */
    static final String POLICY = new String("tollgate-pinning");
    static final String RULE = "tool_not_pinned";
    /** The method an audit record names for a public agent card fetch (not an A2A method: nothing is called). */
    static final String PUBLIC_CARD = "GetAgentCard";
    /** The audit record's decision for a public agent card that showed skills nobody reviewed (on a route that audits them). */
    static final Decision UNREVIEWED_CARD = new Decision(Action.AUDIT, "unreviewed_skills",
            "the agent card lists skills whose definitions are not the reviewed ones", POLICY, Mode.ENFORCE);

    private PinDecisions() {
    }

    static Decision notPinned(CallDescription call, PinState state) {
        String what = "a2a".equals(call.protocol()) ? "skill" : "tool";
        String why = state == PinState.NEW ? " is not in the route's pin manifest"
                : "'s definition changed since it was pinned";
        return new Decision(Action.DENY, RULE, what + " '" + call.toolName() + "'" + why
                + "; an operator reviews it and pins it again with tollgate pin --route " + call.route(), POLICY, Mode.ENFORCE);
    }

    @SuppressWarnings("StringEquality")
    static boolean isPinDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
