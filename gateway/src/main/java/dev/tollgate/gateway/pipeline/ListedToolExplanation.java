package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Explanation;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.mcp.ArgumentNames;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.PreParsedArguments;
import dev.tollgate.protocols.mcp.ToolInputs;
import java.util.List;
import java.util.function.Function;

/**
 * "Why was this blocked" for a {@code tools/call} the way the policy stage decides it against its tool's listed input
 * schema: refused before policy for a value outside the schema's enums or an argument named two ways, else decided on
 * the arguments as sent, as the tool fills its declared defaults and as FastMCP pre-parses JSON text, the stronger refusal
 * deciding. Without the schema
 * (explain has no tools list), the names the policy reads are still checked, and a note says what was not.
 */
public final class ListedToolExplanation {

    static final String NO_SCHEMA_NOTE = "decided without the tool's listed input schema (give \"input_schema\", the inputSchema"
            + " its tools/list showed): against it the gateway also refuses a value outside its enums and a name spelled otherwise"
            + " than it declares, and decides the arguments as the tool fills its defaults";

    private static final String FILLED_NOTE = "decided on the arguments as the tool fills the defaults its listed input schema"
            + " declares for what the call leaves out, as the gateway decides it";
    private static final String PRE_PARSED_NOTE = "decided on the arguments as Python's FastMCP reads them, JSON text in a string"
            + " argument parsed, as the gateway decides it";

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
        // FastMCP's reading of JSON text in a string argument (null when it reads the call as sent), held to the same checks.
        PreParsedArguments.Reading fastMcp = PreParsedArguments.read(arguments);
        JsonNode preParsed = fastMcp.parsed();
        String outside = inputs.outside(arguments);
        if (outside == null && preParsed != null) {
            outside = inputs.outside(preParsed);
        }
        if (outside != null) {
            return new Explanation(DeclaredEnumDecisions.outside(call, outside, policy), List.of())
                    .withNote("refused before policy, by the tool's listed input schema: no rule was tried");
        }
        ArgumentNames read = ArgumentNames.ofPointers(policy.argumentsRead(call.toolName()));
        String ambiguous = arguments == null || !arguments.isObject() ? null : ArgumentNames.ambiguous(arguments, inputs.names(), read);
        if (ambiguous == null && preParsed != null) {
            ambiguous = ArgumentNames.ambiguous(preParsed, inputs.names(), read);
        }
        if (ambiguous != null) {
            Explanation refused = new Explanation(ArgumentNameDecisions.ambiguous(call, ambiguous, policy), List.of())
                    .withNote("refused before policy: an argument named two ways, no rule was tried");
            return inputSchema == null ? refused.withNote(NO_SCHEMA_NOTE) : refused;
        }
        if (fastMcp.tooDeep() != null) {
            return new Explanation(ArgumentTextDecisions.tooDeep(call, fastMcp.tooDeep(), policy), List.of())
                    .withNote("refused before policy: JSON text nested deeper than the gateway reads, no rule was tried");
        }
        Explanation explanation = decide.apply(request);
        explanation = decidedMoreStrictly(explanation, request, inputs.filled(arguments), decide, FILLED_NOTE);
        if (preParsed != null) {
            explanation = decidedMoreStrictly(explanation, request, List.of(preParsed), decide, PRE_PARSED_NOTE);
            explanation = decidedMoreStrictly(explanation, request, inputs.filled(preParsed), decide, PRE_PARSED_NOTE + ", and as the tool"
                    + " fills its declared defaults in that reading");
        }
        return inputSchema == null ? explanation.withNote(NO_SCHEMA_NOTE) : explanation;
    }

    /** The explanation of the reading among {@code readings} that refuses more than {@code current}, if one does. */
    private static Explanation decidedMoreStrictly(Explanation current, PolicyRequest request, List<JsonNode> readings,
                                                   Function<PolicyRequest, Explanation> decide, String note) {
        CallDescription call = request.call();
        Explanation explanation = current;
        for (JsonNode arguments : readings) {
            Explanation reading = decide.apply(new PolicyRequest(CallDescription.mcpToolCall(call.route(), call.toolName(), arguments),
                    request.identity(), request.time(), request.facts()));
            if (CallReadings.refusesMore(reading.decision(), explanation.decision())) {
                explanation = reading.withNote(note);
            }
        }
        return explanation;
    }
}
