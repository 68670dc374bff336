package dev.tollgate.policy.agt;

import java.util.List;

/** What AGT's {@code defaults.max_tool_calls} counts in a gateway, for the loader and the importer alike. */
public final class MaxToolCalls {

    /**
     * MCP tool calls and A2A message sends (JSON-RPC and HTTP+JSON, both generations: rules see the 1.0 names), each a
     * call of a tool to AGT's fields ({@code tool_name} is an A2A call's declared skill). Counting MCP alone let a run on
     * an A2A route send without limit.
     */
    public static final List<String> METHODS = dev.tollgate.policy.condition.AgtCondition.TOOL_CALL_METHODS;

    /**
     * Whose run a bucket counts: the run id within its caller (review Y: keyed by the run id alone, acme's {@code run-1}
     * and globex's {@code run-1} drew on one cap, and every caller without a run on another). AGT counts per agent context.
     */
    public static final List<String> PER = List.of("tenant", "agent", "sub", "run", "spiffe_id");

    private MaxToolCalls() {
    }
}
