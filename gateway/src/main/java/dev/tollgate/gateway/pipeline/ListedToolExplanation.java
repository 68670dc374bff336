package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Explanation;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.mcp.ArgumentNames;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.ToolInputs;
import java.util.List;
import java.util.function.Function;

/**
 * "Why was this blocked" for a {@code tools/call} the way the policy stage decides it against its tool's listed input
 * schema: refused before policy for a value outside the schema's enums or an argument named two ways, else decided on
 * the arguments as sent and as the tool fills its declared defaults, the stronger refusal deciding. Without the schema
 * (explain has no tools list), the names the policy reads are still checked, and a note says what was not.
 */
public final class ListedToolExplanation {

    static final String NO_SCHEMA_NOTE = "decided without the tool's listed input schema (give \"input_schema\", the inputSchema"
            + " its tools/list showed): against it the gateway also refuses a value outside its enums and a name spelled otherwise"
            + " than it declares, and decides the arguments as the tool fills its defaults";

    private ListedToolExplanation() {
    }

    /**
     * @param inputSchema the tool's listed {@code inputSchema}, or null when not given
     * @param decide      how the policy explains one reading of the call (its other readings included)
     */
    public static Explanation explain(CompiledPolicy policy, PolicyRequest request, JsonNode inputSchema,
                                      Function<PolicyRequest, Explanation> decide) {
        CallDescription call = request.call();
        if (!McpMethods.TOOLS_CALL.equals(call.method()) || call.toolName() == null) {
            return decide.apply(request);
        }
        ToolInputs inputs = inputSchema == null ? ToolInputs.NONE : ToolInputs.of(inputSchema);
        JsonNode arguments = call.arguments();
        String outside = inputs.outside(arguments);
        if (outside != null) {
            return new Explanation(DeclaredEnumDecisions.outside(call, outside, policy), List.of())
                    .withNote("refused before policy, by the tool's listed input schema: no rule was tried");
        }
        String ambiguous = arguments == null || !arguments.isObject() ? null
                : ArgumentNames.ambiguous(arguments, inputs.names(), ArgumentNames.ofPointers(policy.argumentsRead(call.toolName())));
        if (ambiguous != null) {
            Explanation refused = new Explanation(ArgumentNameDecisions.ambiguous(call, ambiguous, policy), List.of())
                    .withNote("refused before policy: an argument named two ways, no rule was tried");
            return inputSchema == null ? refused.withNote(NO_SCHEMA_NOTE) : refused;
        }
        Explanation explanation = decide.apply(request);
        for (JsonNode filled : inputs.filled(arguments)) {
            Explanation asFilled = decide.apply(new PolicyRequest(CallDescription.mcpToolCall(call.route(), call.toolName(), filled),
                    request.identity(), request.time(), request.facts()));
            if (CallReadings.refusesMore(asFilled.decision(), explanation.decision())) {
                explanation = asFilled.withNote("decided on the arguments as the tool fills the defaults its listed input schema"
                        + " declares for what the call leaves out, as the gateway decides it");
            }
        }
        return inputSchema == null ? explanation.withNote(NO_SCHEMA_NOTE) : explanation;
    }
}
