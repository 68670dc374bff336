package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Builds one audit record per decision, with a fixed field order: time, route, method, target, caller,
 * decision, outcome, latency, trace id, argument digest, and the arguments themselves when configured (what
 * {@code tollgate replay} needs). The record holds no session secrets and never the AXID itself.
 */
public final class AuditRecords {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Writes a tree with every object's keys sorted: no conversion to sorted maps first. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

    private AuditRecords() {
    }

    /** The outcome of the call the decision belongs to. */
    public record Outcome(int status, String error, double latencyMillis, double upstreamMillis, String traceId, String requestId,
                          String protocolVersion) {
    }

    public static ObjectNode of(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                                AuditConfig.ArgumentsMode argumentsMode) {
        ObjectNode r = JSON.createObjectNode();
        // Formatted by the writer thread (finish): Instant.toString was 1 % of the full pipeline's event loops.
        r.putPOJO("time", time);
        r.put("route", call.route());
        r.put("method", call.method());
        putIfPresent(r, "tool", call.toolName());
        putIfPresent(r, "resource", call.resourceUri());
        putIfPresent(r, "prompt", call.promptName());
        r.put("direction", call.direction());
        putIfPresent(r, "protocol_version", outcome.protocolVersion());
        A2aAuditFields.add(r, call);
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
        // The OAuth caller on routes where the gateway validates tokens: subject, client and scopes, never the token.
        if (caller.claims().get("oauth_sub") instanceof String subject) {
            who.put("oauth_sub", subject);
        }
        if (caller.claims().get("client_id") instanceof String client) {
            who.put("client_id", client);
        }
        if (caller.claims().get("scope") instanceof java.util.List<?> scopes) {
            scopes.forEach(s -> who.withArray("scopes").add(String.valueOf(s)));
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
        if (call.arguments() != null && argumentsMode != AuditConfig.ArgumentsMode.NONE) {
            // Redacted, digested and (with FULL) attached by the writer thread, not on the event loop:
            // see AuditLog#append. The node is the parsed request's and is never modified after this point.
            r.set(PENDING_ARGUMENTS, call.arguments());
        }
        return r;
    }

    /**
     * What result policy did with the call's result: the action, the rule, and each finding by detector, kind, JSON
     * pointer and digest (never the matched text: the record must not become the leak it reports).
     */
    public static void result(ObjectNode record, dev.tollgate.gateway.pipeline.ResultVerdict verdict) {
        ObjectNode r = record.putObject("result");
        r.put("action", verdict.action());
        putIfPresent(r, "rule", verdict.decision().ruleName());
        if (!verdict.findings().isEmpty()) {
            var findings = r.putArray("findings");
            for (var f : verdict.findings()) {
                findings.addObject().put("detector", f.detector()).put("kind", f.kind()).put("pointer", f.pointer()).put("digest", f.digest());
            }
        }
    }

    /**
     * The tool definitions this call met that are not the reviewed ones (a call to such a tool, or a list holding them):
     * name, changed or new, and the digests, never the definition itself (the log line of the change holds the diff).
     */
    public static void pinning(ObjectNode record, java.util.List<dev.tollgate.gateway.pinning.PinChange> findings) {
        var unreviewed = record.putObject("pinning").putArray("unreviewed");
        for (var finding : findings) {
            ObjectNode f = unreviewed.addObject();
            f.put("name", finding.name());
            f.put("state", finding.state().label());
            putIfPresent(f, "pinned_digest", finding.pinned());
            putIfPresent(f, "listed_digest", finding.listed());
        }
    }

    /**
     * The approval a held call waited for: its id, how it ended, who decided, why and when, and how long the call
     * waited. {@code tollgate replay} reads it to treat a past approval as recorded.
     */
    public static void approval(ObjectNode record, dev.tollgate.gateway.approval.PendingApproval approval) {
        ObjectNode a = record.putObject("approval");
        a.put("id", approval.id());
        var ended = approval.ended();
        if (ended == null) {
            a.put("outcome", "pending");
            return;
        }
        a.setAll(ended.toJson());
        // The approve decision was enforced unless a person (or an allowing timeout) let the call through.
        ((ObjectNode) record.get("decision")).put("enforced", !ended.allows());
        a.put("waited_ms", round(java.time.Duration.between(approval.createdAt(), ended.at()).toNanos() / 1e6));
    }

    /** Placeholder field the writer replaces with the digest (and the redacted arguments with FULL). */
    static final String PENDING_ARGUMENTS = "\u0000arguments";

    /** On the writer thread: what the event loop left to it, the time as text and the arguments' digest (and copy). */
    static void finish(ObjectNode record, AuditConfig.ArgumentsMode mode, ArgumentRedactor redactor, InstantText times) {
        if (record.get("time") instanceof POJONode pending && pending.getPojo() instanceof Instant time) {
            record.put("time", times.format(time)); // same place in the field order: the map keeps the key's position
        }
        finishArguments(record, mode, redactor);
    }

    /** Turns the pending arguments into {@code args_digest} and, with FULL, {@code arguments}. */
    private static void finishArguments(ObjectNode record, AuditConfig.ArgumentsMode mode, ArgumentRedactor redactor) {
        JsonNode arguments = record.remove(PENDING_ARGUMENTS);
        if (arguments == null) {
            return;
        }
        JsonNode redacted = redactor.redact(arguments);
        record.put("args_digest", AuditChain.sha256(canonical(redacted)));
        if (mode == AuditConfig.ArgumentsMode.FULL) {
            record.set("arguments", redacted);
        }
    }

    /**
     * JSON with object keys sorted at every level, as UTF-8, so equal arguments always give equal digests. Written
     * straight to bytes; arguments holding a surrogate take the text path, whose bytes the digest has always
     * covered (pairs as 4-byte UTF-8, a lone one as '?'), where the byte generator writes escapes (see AuditLine).
     */
    static byte[] canonical(JsonNode node) {
        try {
            byte[] bytes = CANONICAL.writeValueAsBytes(node);
            return AuditLine.mayHoldSurrogateEscape(bytes) ? CANONICAL.writeValueAsString(node).getBytes(StandardCharsets.UTF_8) : bytes;
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
