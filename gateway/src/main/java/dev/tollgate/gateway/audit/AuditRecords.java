package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one audit record per decision, with a fixed field order: time, route, method, target, caller,
 * decision, outcome, latency, trace id, argument digest, and the arguments themselves when configured (what
 * {@code tollgate replay} needs). The record holds no session secrets and never the AXID itself.
 */
public final class AuditRecords {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private AuditRecords() {
    }

    /** The outcome of the call the decision belongs to. */
    public record Outcome(int status, String error, double latencyMillis, double upstreamMillis, String traceId, String requestId) {
    }

    public static ObjectNode of(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                                AuditConfig.ArgumentsMode argumentsMode, ArgumentRedactor redactor) {
        ObjectNode r = JSON.createObjectNode();
        r.put("time", time.toString());
        r.put("route", call.route());
        r.put("method", call.method());
        putIfPresent(r, "tool", call.toolName());
        putIfPresent(r, "resource", call.resourceUri());
        putIfPresent(r, "prompt", call.promptName());
        r.put("direction", call.direction());
        ObjectNode who = r.putObject("caller");
        putIfPresent(who, "spiffe_id", caller.spiffeId());
        putIfPresent(who, "tenant", caller.tenant());
        putIfPresent(who, "agent", caller.agent());
        putIfPresent(who, "run", caller.run());
        putIfPresent(who, "sub", caller.subUser());
        putIfPresent(who, "parent", caller.parent());
        putIfPresent(who, "tree", caller.tree());
        if (!caller.capabilities().isEmpty()) {
            caller.capabilities().forEach(who.putArray("capabilities")::add);
        }
        ObjectNode d = r.putObject("decision");
        d.put("action", decision.action().name().toLowerCase(Locale.ROOT));
        d.put("mode", decision.mode().name().toLowerCase(Locale.ROOT));
        d.put("enforced", decision.enforcedDeny());
        putIfPresent(d, "policy", decision.policyName());
        putIfPresent(d, "rule", decision.ruleName());
        putIfPresent(d, "reason", decision.message());
        ObjectNode o = r.putObject("outcome");
        o.put("status", outcome.status());
        putIfPresent(o, "error", outcome.error());
        r.put("latency_ms", round(outcome.latencyMillis()));
        r.put("upstream_ms", round(outcome.upstreamMillis()));
        putIfPresent(r, "trace_id", outcome.traceId());
        putIfPresent(r, "request_id", outcome.requestId());
        JsonNode redacted = redactor.redact(call.arguments());
        if (redacted != null && argumentsMode != AuditConfig.ArgumentsMode.NONE) {
            r.put("args_digest", AuditChain.sha256(canonical(redacted)));
            if (argumentsMode == AuditConfig.ArgumentsMode.FULL) {
                r.set("arguments", redacted);
            }
        }
        return r;
    }

    /** JSON with object keys sorted, so equal arguments always give equal digests. */
    static String canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(node, Object.class) instanceof Map<?, ?> map
                    ? new TreeMap<>(map) : CANONICAL.treeToValue(node, Object.class));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double millis) {
        return Math.round(millis * 1000.0) / 1000.0;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
