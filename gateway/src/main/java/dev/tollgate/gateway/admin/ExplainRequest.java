package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.pipeline.CallReadings;
import dev.tollgate.gateway.pipeline.ListedToolExplanation;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallFacts;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Explanation;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.PolicyTestRunner;
import dev.tollgate.policy.RuleTrace;
import dev.tollgate.policy.UnreadUsage;
import java.time.Instant;
import java.util.Optional;

/**
 * "Why was this blocked": the decision the current snapshot makes for a described call and caller, with
 * every rule tried. Shared by the admin endpoint and the CLI. Input:
 * {@code {"route": "tools", "call": {"method": "tools/call", "tool": "x", "arguments": {...}},
 * "identity": {"tenant": "acme", ...}, "time": "2026-01-05T10:00:00Z", "facts": {"spend_usd": 9.8, "rate_limited": true}}};
 * {@code "policy"} may name a document directly instead of a route; {@code "input_schema"} is the called tool's listed
 * {@code inputSchema}, read as the gateway reads the list it saw ({@link ListedToolExplanation}). Without {@code "facts"}, budget and rate-limit
 * checks are taken as not over, and AGT's {@code tool_call_count} as 0, and the explanation says so.
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
        UnreadUsage unread = new UnreadUsage();
        CallFacts facts = input.has("facts") ? PolicyTestRunner.facts(input.get("facts")) : unread;
        PolicyRequest request = new PolicyRequest(PolicyTestRunner.call(callWithRoute(input)), PolicyTestRunner.identity(input.path("identity")),
                time, facts);
        JsonNode inputSchema = input.get("input_schema");
        if (inputSchema != null && !inputSchema.isObject() && !inputSchema.isBoolean()) {
            throw new IllegalArgumentException("\"input_schema\" must be the tool's listed inputSchema, a JSON object");
        }
        CompiledPolicy decidingPolicy = policy.get();
        Explanation explanation = CallDescription.RESULT.equals(request.call().direction()) ? decide(decidingPolicy, request)
                : ListedToolExplanation.explain(decidingPolicy, request, inputSchema, r -> decide(decidingPolicy, r));
        if (!unread.rulesAsking().isEmpty()) {
            // Not a deny: the gateway reads its ledger and buckets, explain has neither (review CB).
            explanation = explanation.withNote("not evaluated: " + String.join(", ", unread.rulesAsking()) + " read live usage (spend, "
                    + "rate-limit buckets), which explain does not read; taken as not over budget and not rate-limited. Give \"facts\" "
                    + "({\"spend_usd\", \"cost_usd\", \"rate_limited\"}) to decide them otherwise");
        }
        if (unread.toolCallCountRead()) {
            explanation = explanation.withNote("not evaluated: tool_call_count, the run's earlier tool calls, which explain does not"
                    + " read; taken as 0 (a run's first call). Give \"facts\": {\"tool_call_count\": N} to decide it otherwise");
        }
        return explanation;
    }

    /**
     * The decision as the live gateway makes it: a result by the result stage's rules; a call, then each of its other
     * readings ({@link CallReadings}: a listen's resources/subscribe, an A2A message's other texts), the strongest refusal
     * deciding, as the policy stage and {@code tollgate replay} do (review CB).
     */
    private static Explanation decide(CompiledPolicy policy, PolicyRequest request) {
        if (CallDescription.RESULT.equals(request.call().direction())) {
            return policy.explainResult(request);
        }
        Explanation explanation = policy.explain(request);
        for (CallDescription reading : CallReadings.otherReadings(request.call())) {
            Explanation other = policy.explain(new PolicyRequest(reading, request.identity(), request.time(), request.facts()));
            if (CallReadings.refusesMore(other.decision(), explanation.decision())) {
                explanation = other.withNote("decided by another reading of the call, as the gateway decides it: " + describe(reading));
            }
        }
        return explanation;
    }

    private static String describe(CallDescription reading) {
        return reading.method() + (reading.resourceUri() == null ? "" : " of " + reading.resourceUri())
                + (reading.toolName() == null ? "" : " (tool " + reading.toolName() + ")");
    }

    /**
     * The call with the route it is explained on: the live gateway describes every call with its route, and a rule may
     * read it ({@code route:}, an AGT {@code field: route}); {@code "route"} beside the call only picked the policy
     * (review CB). A route given inside the call is kept.
     */
    private static JsonNode callWithRoute(JsonNode input) {
        JsonNode call = input.path("call");
        String route = input.path("route").asText(null);
        if (route == null || !call.isObject() || call.hasNonNull("route")) {
            return call;
        }
        ObjectNode withRoute = ((ObjectNode) call).deepCopy();
        withRoute.put("route", route);
        return withRoute;
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
        ArrayNode notes = out.putArray("notes");
        explanation.notes().forEach(notes::add);
        ArrayNode trace = out.putArray("trace");
        for (RuleTrace t : explanation.trace()) {
            trace.addObject().put("rule", t.rule()).put("priority", t.priority()).put("matched", t.matched()).put("reason", t.reason());
        }
        out.put("text", explanation.render());
        return out;
    }
}
