package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;

/**
 * The denial of a tool call holding, in a string argument, JSON text nested deeper than the gateway reads
 * ({@link dev.tollgate.protocols.mcp.PreParsedArguments}): Python's FastMCP parses such text into the object it hands the
 * tool (Python's json from 3.12 reads deeper than the gateway's 1000 levels), so a rule on what the text holds could not
 * be decided. Made before policy, whatever the policy's mode; answered by {@link PolicyDenials} with
 * {@code argument_text_too_deep}; the message names the argument, never its value.
 */
final class ArgumentTextDecisions {

    /** Recognised by identity, not by value (as {@link PinDecisions#POLICY}). */
    static final String POLICY = new String("tollgate-schema");
    static final String RULE = "argument_text_too_deep";

    private ArgumentTextDecisions() {
    }

    /**
     * @param argument the top-level argument's name (the caller's key, written through the policy's detectors)
     * @param policy   the route's policy, whose detectors read the key (null: none loaded)
     */
    static Decision tooDeep(CallDescription call, String argument, CompiledPolicy policy) {
        return new Decision(Action.DENY, RULE, "argument " + WrittenNames.pointer("/" + argument.replace("~", "~0").replace("/", "~1"), policy)
                + " of tool '" + call.toolName() + "' holds JSON text nested deeper than the gateway reads, which a Python tool"
                + " parses into its value (send the value as JSON, not as text, or nest it less)", POLICY, Mode.ENFORCE);
    }

    @SuppressWarnings("StringEquality")
    static boolean isTooDeepDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
