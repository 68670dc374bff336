package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;

/**
 * The denial of a tool call naming an argument two ways ({@link ArgumentNameCheck}): two keys equal but for case (or
 * Unicode folding), or a key equal so to a name the tool's listed schema declares or the policy reads without being
 * spelled as declared. Made before policy runs, whatever the policy's mode: a rule reads one spelling, a tool binding
 * names case-insensitively may act on the other. Answered by {@link PolicyDenials} with {@code ambiguous_argument_name};
 * the message names the argument (JSON pointer), never its value.
 */
final class ArgumentNameDecisions {

    /** Recognised by identity, not by value (as {@link PinDecisions#POLICY}). */
    static final String POLICY = new String("tollgate-schema");
    static final String RULE = "ambiguous_argument_name";

    private ArgumentNameDecisions() {
    }

    /**
     * @param pointer the JSON pointer of the argument, from the arguments object: its keys are the caller's, written as
     *                {@link WrittenNames#pointer} writes them (a key may hold a credential)
     * @param policy  the route's policy, whose detectors read the keys (null: none loaded)
     */
    static Decision ambiguous(CallDescription call, String pointer, CompiledPolicy policy) {
        return new Decision(Action.DENY, RULE, "argument " + WrittenNames.pointer(pointer, policy) + " of tool '" + call.toolName()
                + "' is spelled so that a tool reading names regardless of case may take it for another argument"
                + " (send each argument once, spelled as the tool's listed input schema declares it)", POLICY, Mode.ENFORCE);
    }

    @SuppressWarnings("StringEquality")
    static boolean isAmbiguousDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
