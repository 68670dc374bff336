package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;

/**
 * The denial of a call to a tool whose listed definition result rules withheld ({@link WithheldTools}). Made before
 * policy runs (the tool was never shown to the caller: no rule should have to repeat the list's verdict), under a
 * policy name of its own that {@link PolicyDenials} answers with {@code tool_withheld}; the rule is the result rule
 * that withheld the definition, and the message names its policy.
 */
final class WithheldToolDecisions {

    /** Recognised by identity, not by value (as {@link PinDecisions#POLICY}): a user's document of that name keeps its own reason. */
    static final String POLICY = new String("tollgate-results");

    private WithheldToolDecisions() {
    }

    /** @param by the result rule's decision that withheld the tool's definition from a list */
    static Decision withheld(CallDescription call, Decision by) {
        String rule = by.ruleName() == null ? "default" : by.ruleName();
        return new Decision(Action.DENY, by.ruleName(), "tool '" + call.toolName() + "''s listed definition was withheld by policy '"
                + by.policyName() + "' (rule '" + rule + "')" + (by.message() == null ? "" : ": " + by.message()), POLICY,
                // A shadow policy's withholding is a shadow denial: recorded, the call forwarded (review CB).
                by.mode() == Mode.SHADOW ? Mode.SHADOW : Mode.ENFORCE);
    }

    @SuppressWarnings("StringEquality")
    static boolean isWithheldDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
