package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Explanation;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.PolicyTestRunner;
import dev.tollgate.policy.RuleTrace;
import java.time.Instant;
import java.util.Optional;

/**
 * "Why was this blocked": the decision the current snapshot makes for a described call and caller, with
 * every rule tried. Shared by the admin endpoint and the CLI. Input:
 * {@code {"route": "tools", "call": {"method": "tools/call", "tool": "x", "arguments": {...}},
 * "identity": {"tenant": "acme", ...}, "time": "2026-01-05T10:00:00Z"}}; {@code "policy"} may name a
 * document directly instead of a route.
 */
public final class ExplainRequest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExplainRequest() {
    }

    /** @throws IllegalArgumentException when the route or policy is unknown or the input malformed */
    public static Explanation explain(GatewaySnapshot snapshot, JsonNode input) {
        String policyName = policyName(snapshot, input);
        Optional<CompiledPolicy> policy = policyName == null ? Optional.empty() : snapshot.policies().policy(policyName);
        if (policy.isEmpty()) {
            throw new IllegalArgumentException(policyName == null ? "the route has no policy: every policed call is denied (fail closed)"
                    : "no policy named '" + policyName + "'");
        }
        Instant time = input.hasNonNull("time") ? Instant.parse(input.get("time").asText()) : Instant.now();
        PolicyRequest request = new PolicyRequest(PolicyTestRunner.call(input.path("call")), PolicyTestRunner.identity(input.path("identity")), time);
        // A result is explained as the result stage decides it (result rules only, a deny anywhere wins, else a pass).
        return CallDescription.RESULT.equals(request.call().direction()) ? policy.get().explainResult(request) : policy.get().explain(request);
    }

    private static String policyName(GatewaySnapshot snapshot, JsonNode input) {
        if (input.hasNonNull("policy")) {
            return input.get("policy").asText();
        }
        String route = input.path("route").asText(null);
        if (route == null) {
            throw new IllegalArgumentException("name a route (\"route\") or a policy (\"policy\")");
        }
        return snapshot.config().routes().stream().filter(r -> r.name().equals(route)).findFirst()
                .map(RouteConfig::policy)
                .orElseThrow(() -> new IllegalArgumentException("no route named '" + route + "'"));
    }

    public static ObjectNode toJson(Explanation explanation) {
        ObjectNode out = JSON.createObjectNode();
        out.put("action", explanation.decision().action().name().toLowerCase(java.util.Locale.ROOT));
        out.put("mode", explanation.decision().mode().name().toLowerCase(java.util.Locale.ROOT));
        out.put("policy", explanation.decision().policyName());
        out.put("rule", explanation.decision().ruleName());
        out.put("message", explanation.decision().message());
        ArrayNode trace = out.putArray("trace");
        for (RuleTrace t : explanation.trace()) {
            trace.addObject().put("rule", t.rule()).put("priority", t.priority()).put("matched", t.matched()).put("reason", t.reason());
        }
        out.put("text", explanation.render());
        return out;
    }
}
