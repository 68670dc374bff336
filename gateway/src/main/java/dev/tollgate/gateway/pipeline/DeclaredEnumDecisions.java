package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;

/**
 * The denial of a tool call holding an argument value its tool's listed input schema does not allow ({@link DeclaredEnums}).
 * Made before policy runs, whatever the policy's mode: a rule can only be sure what a value means when it is one the
 * tool names, and a value it does not name may be bound to any of them (Jackson reads {@code 1} as an enum's second
 * constant). Under a policy name of its own that {@link PolicyDenials} answers with {@code argument_outside_declared_enum}.
 * The message names the argument, never its value (which the caller sent, and may hold anything).
 */
final class DeclaredEnumDecisions {

    /** Recognised by identity, not by value (as {@link PinDecisions#POLICY}). */
    static final String POLICY = new String("tollgate-schema");
    static final String RULE = "argument_outside_declared_enum";

    private DeclaredEnumDecisions() {
    }

    /**
     * @param pointer the JSON pointer of the argument, from the arguments object: its keys are the caller's, written as
     *                {@link WrittenNames#pointer} writes them (a key may hold a credential)
     * @param policy  the route's policy, whose detectors read the keys (null: none loaded)
     */
    static Decision outside(CallDescription call, String pointer, CompiledPolicy policy) {
        return new Decision(Action.DENY, RULE, "argument " + WrittenNames.pointer(pointer, policy) + " of tool '" + call.toolName()
                + "' holds a value its listed input schema does not allow (the values its enum or const names)", POLICY, Mode.ENFORCE);
    }

    @SuppressWarnings("StringEquality")
    static boolean isOutsideDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
