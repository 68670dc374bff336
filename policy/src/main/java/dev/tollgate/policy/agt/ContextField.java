package dev.tollgate.policy.agt;

import java.util.Map;
import java.util.Set;

/**
 * What an AGT context field is in a native document, following the context the gateway builds for AGT
 * documents (policy/README.md, "Context"): a call name, a claim, a claim that shadows an argument of the same
 * name, or something no native condition reads.
 */
sealed interface ContextField {

    /** {@code tool_name}, {@code method}, {@code spiffe_id}: native {@code tool:}, {@code method:}, {@code spiffe_id:} globs. */
    record CallName(String key) implements ContextField {
        boolean pathGlob() {
            return "spiffe_id".equals(key);
        }
    }

    /** The gateway's claims: never read from the arguments. */
    record Claimed(ValueSource.Claim claim) implements ContextField {
    }

    /** Any other name: the claim of that name when the caller has it, else the top-level argument. */
    record ClaimOrArgument(ValueSource.Claim claim, ValueSource.Argument argument) implements ContextField {
    }

    /**
     * {@code action_type}: the gateway's fact, {@code tool_call} for {@code tools/call}, {@code invoke_agent} for an A2A
     * send, absent for other calls.
     */
    record ActionType() implements ContextField {
    }

    record Unsupported(String reason) implements ContextField {
    }

    Map<String, String> CALL_NAMES = Map.of("tool_name", "tool", "method", "method", "spiffe_id", "spiffe_id");
    Set<String> CLAIMS = Set.of("tenant", "agent", "run", "sub", "parent", "tree", "capabilities",
            "client_id", "oauth_sub", "oauth_iss", "scope"); // the verified token's facts too (review AM)

    static ContextField of(String field) {
        if (CALL_NAMES.containsKey(field)) {
            return new CallName(CALL_NAMES.get(field));
        }
        if ("action_type".equals(field)) {
            return new ActionType();
        }
        if ("agent_id".equals(field)) {
            return new Claimed(new ValueSource.Claim("agent"));
        }
        if (CLAIMS.contains(field)) {
            return new Claimed(new ValueSource.Claim(field));
        }
        return switch (field) {
            case "route" -> new Unsupported("no native condition reads the route name (a route selects its policy)");
            case "tool_args" -> new Unsupported("no native condition tests the whole arguments object");
            // The gateway's count of the run's earlier tool calls (fix AV): no native condition reads it, and the
            // caller's claim or argument of that name, which the caller chooses, must not stand in for it.
            case "tool_call_count" -> new Unsupported("no native condition reads the run's count of earlier tool calls"
                    + " (AGT's tool_call_count, which the gateway counts): keep the AGT document, or cap the run with"
                    + " defaults.max_tool_calls or a native rate_limit check");
            default -> field.matches("[0-9]+|-")
                    // AGT reads only a mapping's key; a native pointer /0 would also read element 0 of an array.
                    ? new Unsupported("a field named '" + field + "' would also read an array element as a native pointer")
                    : new ClaimOrArgument(new ValueSource.Claim(field), new ValueSource.Argument(field));
        };
    }
}
