package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * How audit records were written before they were streamed (commit e886b5b): a tree built on the event loop, finished
 * and serialized by the writer. Kept as the reference the streamed records must match byte for byte, since the hash
 * chain, {@code tollgate replay} and every reader of the log depend on the line as written.
 */
final class AuditRecordsAsTree {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditRecordsAsTree() {
    }

    /** The line's content (before sealing) as the tree path wrote it, seq and prev last. */
    static byte[] utf8(ObjectNode record, long seq, String prev) throws Exception {
        record.put("seq", seq);
        record.put("prev", prev);
        byte[] bytes = JSON.writeValueAsBytes(record);
        return AuditLine.mayHoldSurrogateEscape(bytes) ? AuditLine.wellFormed(JSON.writeValueAsString(record)).getBytes(StandardCharsets.UTF_8) : bytes;
    }

    static ObjectNode of(Instant time, CallDescription call, Identity caller, Decision decision, AuditRecords.Outcome outcome,
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
        addA2a(r, call);
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
    static void result(ObjectNode record, dev.tollgate.gateway.pipeline.ResultVerdict verdict) {
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
    static void pinning(ObjectNode record, java.util.List<dev.tollgate.gateway.pinning.PinChange> findings) {
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
    static void approval(ObjectNode record, AuditRecords.ApprovalState approval) {
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
        record.put("args_digest", dev.tollgate.policy.detect.FindingDigest.ofArguments(AuditRecords.canonical(redacted)));
        if (mode == AuditConfig.ArgumentsMode.FULL) {
            record.set("arguments", redacted);
        }
    }

    private static void addA2a(ObjectNode record, CallDescription call) {
        if (!"a2a".equals(call.protocol()) || call.arguments() == null) {
            return;
        }
        JsonNode view = call.arguments();
        record.put("protocol", "a2a");
        ObjectNode a2a = record.putObject("a2a");
        copy(view, "binding", a2a, "binding");
        copy(view, "version", a2a, "version");
        copy(view, "tenant", a2a, "tenant");
        copy(view, "taskId", a2a, "task_id");
        copy(view, "contextId", a2a, "context_id");
        copy(view, "configId", a2a, "config_id");
        copy(view, "skill", a2a, "skill");
        copy(view.path("push"), "url", a2a, "push_url");
        JsonNode message = view.path("message");
        if (message.isObject()) {
            ArrayNode kinds = a2a.putArray("part_kinds");
            message.path("parts").forEach(p -> kinds.add(p.path("kind").asText()));
            a2a.put("message_bytes", message.path("size").asLong());
        }
        JsonNode extensions = view.get("extensions");
        if (extensions != null && extensions.isArray()) {
            a2a.set("extensions", extensions.deepCopy());
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

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual()) {
            to.put(as, value.textValue());
        }
    }
}
