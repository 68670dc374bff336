package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.pinning.PinChange;
import dev.tollgate.gateway.pipeline.ResultVerdict;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.detect.Detector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One audit record per decision, with a fixed field order: time, route, method, target, caller, decision, outcome,
 * latency, trace id, then what the call met on its way (approval, unreviewed tool definitions, result policy), the
 * argument digest, and the arguments themselves when configured (what {@code tollgate replay} needs). The record
 * holds no session secrets and never the AXID itself.
 *
 * <p>The event loop only captures the facts ({@link CallRecord}); the writer thread formats the time, redacts and
 * digests the arguments and writes every field straight into the line's bytes: no tree of the record is built
 * (building one cost the event loop 1.5 us per call and the writer as much again to walk it, in the full
 * pipeline's CPU profile).
 */
public final class AuditRecords {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Writes a tree with every object's keys sorted: no conversion to sorted maps first. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

    private AuditRecords() {
    }

    /**
     * The outcome of the call the decision belongs to.
     *
     * @param requestId        the call's JSON-RPC id as text; null for none
     * @param numericRequestId the id is a JSON number, written as one: {@code 1} and {@code "1"} are two calls (review BD)
     */
    public record Outcome(int status, String error, double latencyMillis, double upstreamMillis, String traceId, String requestId,
                          String protocolVersion, boolean numericRequestId) {

        /** An outcome whose request id, if any, is a string. */
        public Outcome(int status, String error, double latencyMillis, double upstreamMillis, String traceId, String requestId,
                       String protocolVersion) {
            this(status, error, latencyMillis, upstreamMillis, traceId, requestId, protocolVersion, false);
        }

        /** The outcome of a call with the JSON-RPC id {@code id} (null for none), kept with its JSON type. */
        public static Outcome of(int status, String error, double latencyMillis, double upstreamMillis, String traceId, JsonNode id,
                                 String protocolVersion) {
            return new Outcome(status, error, latencyMillis, upstreamMillis, traceId, id == null ? null : id.asText(), protocolVersion,
                    id != null && id.isNumber());
        }
    }

    /**
     * The approval of a held call as it stood when the record was made: its id, how it ended (null while still
     * pending) and when it was created. Captured, not read later, so the record says what was known at the time.
     */
    public record ApprovalState(String id, ApprovalOutcome ended, Instant createdAt) {

        public static ApprovalState of(PendingApproval approval) {
            return new ApprovalState(approval.id(), approval.ended(), approval.createdAt());
        }
    }

    /**
     * One decided call's record, as captured on the event loop. Everything it refers to is immutable once the call
     * is decided (the call's parsed arguments are never modified after parsing); the lists are copies.
     *
     * @param approval the approval the call waited for, when its decision required one; else null
     * @param pins     the unreviewed tool definitions the call met (empty for none)
     * @param result   what result policy did with the call's result; null when it did not read one
     * @param redactor the redaction of the configuration the call was decided under, applied on the writer thread
     * @param claimsKept the caller's claims to record, those its configuration's policies read ({@link AuditedClaims})
     * @param decidedAt when policy decided the call (the instant its {@code time:} conditions read), written as
     *                  {@code decision.time}; null when unknown (the record's {@code time} then stands for it)
     * @param nameDetectors the detectors of the policy that decided ({@code CompiledPolicy.detectors()}): every name the
     *                  record writes (tool, resource, prompt, method, skill, in the reason too) is read with them and the
     *                  always-on ones ({@link WrittenNames})
     */
    public record CallRecord(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                             ApprovalState approval, List<PinChange> pins, ResultVerdict result, ArgumentRedactor redactor,
                             java.util.Set<String> claimsKept, Instant decidedAt, List<Detector> nameDetectors) implements AuditEntry {

        public CallRecord {
            pins = List.copyOf(pins);
        }

        /** A record whose names are read with the always-on detectors only (no policy decided it). */
        public CallRecord(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                          ApprovalState approval, List<PinChange> pins, ResultVerdict result, ArgumentRedactor redactor,
                          java.util.Set<String> claimsKept, Instant decidedAt) {
            this(time, call, caller, decision, outcome, approval, pins, result, redactor, claimsKept, decidedAt, List.of());
        }

        /** A record without its decision time. */
        public CallRecord(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                          ApprovalState approval, List<PinChange> pins, ResultVerdict result, ArgumentRedactor redactor,
                          java.util.Set<String> claimsKept) {
            this(time, call, caller, decision, outcome, approval, pins, result, redactor, claimsKept, null);
        }

        /** A record keeping no custom claim (policies that read none). */
        public CallRecord(Instant time, CallDescription call, Identity caller, Decision decision, Outcome outcome,
                          ApprovalState approval, List<PinChange> pins, ResultVerdict result, ArgumentRedactor redactor) {
            this(time, call, caller, decision, outcome, approval, pins, result, redactor, java.util.Set.of(), null);
        }

        @Override
        public String method() {
            return call.method();
        }

        @Override
        public void writeFields(JsonGenerator g, AuditWriting writing) throws IOException {
            g.writeStringField("time", writing.times().format(time));
            g.writeStringField("route", call.route());
            // Names are the caller's (or the upstream's) text: a name holding a secret, or what the policy detects, is
            // written as its marker (review CG), here as in the reason quoting it.
            g.writeStringField("method", WrittenNames.of(call.method(), nameDetectors));
            putIfPresent(g, "tool", WrittenNames.of(call.toolName(), nameDetectors));
            putIfPresent(g, "resource", WrittenNames.of(call.resourceUri(), nameDetectors));
            putIfPresent(g, "prompt", WrittenNames.of(call.promptName(), nameDetectors));
            g.writeStringField("direction", call.direction());
            putIfPresent(g, "protocol_version", outcome.protocolVersion());
            A2aAuditFields.write(g, call, nameDetectors);
            writeCaller(g);
            g.writeObjectFieldStart("decision");
            g.writeStringField("action", decision.action().name().toLowerCase(Locale.ROOT));
            g.writeStringField("mode", decision.mode().name().toLowerCase(Locale.ROOT));
            g.writeBooleanField("enforced", enforced());
            putIfPresent(g, "policy", decision.policyName());
            putIfPresent(g, "rule", decision.ruleName());
            putIfPresent(g, "reason", writtenReason());
            if (decidedAt != null) {
                // When it was decided: the record's time is when the call ended (review BD: minutes later for a slow tool or
                // a held approval, and replay decided time: rules then).
                g.writeStringField("time", writing.times().format(decidedAt));
            }
            g.writeEndObject();
            g.writeObjectFieldStart("outcome");
            g.writeNumberField("status", outcome.status());
            putIfPresent(g, "error", outcome.error());
            g.writeEndObject();
            g.writeNumberField("latency_ms", round(outcome.latencyMillis()));
            g.writeNumberField("upstream_ms", round(outcome.upstreamMillis()));
            putIfPresent(g, "trace_id", outcome.traceId());
            if (outcome.numericRequestId() && outcome.requestId() != null) {
                g.writeFieldName("request_id");
                g.writeNumber(outcome.requestId()); // as the client wrote it: 1 and "1" are two calls (review BD)
            } else {
                putIfPresent(g, "request_id", outcome.requestId());
            }
            writeApproval(g);
            writePinning(g);
            writeResult(g);
            writeArguments(g, writing);
        }

        /** The decision's reason with every name of the call it quotes written as the record writes that name. */
        private String writtenReason() {
            return WrittenNames.quoting(decision.message(), call, nameDetectors);
        }

        /**
         * The approve decision was enforced unless a person (or an allowing timeout) let the call through, and a call
         * approved and then refused because a reload since superseded the approval was not let through either.
         */
        private boolean enforced() {
            if (approval != null && approval.ended() != null) {
                return !approval.ended().allows() || RejectReason.APPROVAL_SUPERSEDED.code().equals(outcome.error());
            }
            return decision.enforcedDeny();
        }

        private void writeCaller(JsonGenerator g) throws IOException {
            g.writeObjectFieldStart("caller");
            putIfPresent(g, "spiffe_id", caller.spiffeId());
            putIfPresent(g, "tenant", caller.tenant());
            putIfPresent(g, "agent", caller.agent());
            putIfPresent(g, "run", caller.run());
            putIfPresent(g, "sub", caller.subUser());
            putIfPresent(g, "parent", caller.parent());
            putIfPresent(g, "tree", caller.tree());
            if (!caller.capabilities().isEmpty()) {
                g.writeArrayFieldStart("capabilities");
                for (String capability : caller.capabilities()) {
                    g.writeString(capability);
                }
                g.writeEndArray();
            }
            // The OAuth caller on routes where the gateway validates tokens: subject, client and scopes, never the token.
            if (caller.claims().get("oauth_sub") instanceof String subject) {
                g.writeStringField("oauth_sub", subject);
            }
            if (caller.claims().get("client_id") instanceof String client) {
                g.writeStringField("client_id", client);
            }
            if (caller.claims().get("scope") instanceof List<?> scopes && !scopes.isEmpty()) {
                g.writeArrayFieldStart("scopes");
                for (Object scope : scopes) {
                    g.writeString(String.valueOf(scope));
                }
                g.writeEndArray();
            }
            writeClaims(g);
            g.writeEndObject();
        }

        /** Null for a claim the caller did not have: the replay then knows it was absent, not unrecorded. */
        private void writeClaims(JsonGenerator g) throws IOException {
            if (claimsKept.isEmpty()) {
                return;
            }
            g.writeObjectFieldStart("claims");
            for (String name : claimsKept) {
                JsonNode value = dev.tollgate.policy.condition.ValueTest.toJson(caller.claims().get(name));
                g.writeFieldName(name);
                if (value == null) {
                    g.writeNull();
                } else {
                    JSON.writeTree(g, value);
                }
            }
            g.writeEndObject();
        }

        /**
         * The approval a held call waited for: its id, how it ended, who decided, why and when, and how long the call
         * waited. {@code tollgate replay} reads it to treat a past approval as recorded.
         */
        private void writeApproval(JsonGenerator g) throws IOException {
            if (approval == null) {
                return;
            }
            g.writeObjectFieldStart("approval");
            g.writeStringField("id", approval.id());
            ApprovalOutcome ended = approval.ended();
            if (ended == null) {
                g.writeStringField("outcome", "pending");
            } else {
                for (var field : (Iterable<Map.Entry<String, JsonNode>>) ended.toJson()::fields) {
                    g.writeFieldName(field.getKey());
                    JSON.writeTree(g, field.getValue());
                }
                g.writeNumberField("waited_ms", round(Duration.between(approval.createdAt(), ended.at()).toNanos() / 1e6));
            }
            g.writeEndObject();
        }

        /**
         * The tool definitions this call met that are not the reviewed ones (a call to such a tool, or a list holding
         * them): name, changed or new, and the digests, never the definition itself (the log line of the change holds
         * the diff).
         */
        private void writePinning(JsonGenerator g) throws IOException {
            if (pins.isEmpty()) {
                return;
            }
            g.writeObjectFieldStart("pinning");
            g.writeArrayFieldStart("unreviewed");
            for (PinChange finding : pins) {
                g.writeStartObject();
                // A tool's name can be a secret (review CF), or hold what the policy detects (review CG): its marker then.
                g.writeStringField("name", WrittenNames.of(finding.name(), nameDetectors));
                g.writeStringField("state", finding.state().label());
                putIfPresent(g, "pinned_digest", finding.pinned());
                putIfPresent(g, "listed_digest", finding.listed());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        /**
         * What result policy did with the call's result: the action, the rule, and each finding by detector, kind, JSON
         * pointer and digest (never the matched text: the record must not become the leak it reports); on a list, the
         * entries it withheld.
         */
        private void writeResult(JsonGenerator g) throws IOException {
            if (result == null) {
                return;
            }
            g.writeObjectFieldStart("result");
            g.writeStringField("action", result.action());
            putIfPresent(g, "rule", result.decision().ruleName());
            if (!result.findings().isEmpty()) {
                g.writeArrayFieldStart("findings");
                // A key on a pointer's way can be the secret found in it (review BY): such keys are written as the marker.
                List<String> pointers = dev.tollgate.policy.detect.RecordedPointers.of(result.findings());
                for (int i = 0; i < result.findings().size(); i++) {
                    var f = result.findings().get(i);
                    g.writeStartObject();
                    g.writeStringField("detector", f.detector());
                    g.writeStringField("kind", f.kind());
                    g.writeStringField("pointer", pointers.get(i));
                    g.writeStringField("digest", f.digest());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (!result.withheld().isEmpty()) {
                g.writeArrayFieldStart("withheld");
                for (String entry : result.withheld()) {
                    g.writeString(entry);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }

        /**
         * {@code args_digest} ({@code hmac-sha256:} and the HMAC-SHA256 of the canonical redacted arguments under the digest
         * key, as hex) and, with FULL, {@code arguments}: redacted first, on the writer thread.
         */
        private void writeArguments(JsonGenerator g, AuditWriting writing) throws IOException {
            if (call.arguments() == null || writing.arguments() == AuditConfig.ArgumentsMode.NONE) {
                return;
            }
            JsonNode redacted = redactor.redact(call.arguments());
            // Keyed (fix AU): a plain SHA-256 gave arguments of few values back to whoever read the log; see FindingDigest.
            g.writeStringField("args_digest", dev.tollgate.policy.detect.FindingDigest.ofArguments(canonical(redacted, writing.digests())));
            if (writing.arguments() == AuditConfig.ArgumentsMode.FULL) {
                g.writeFieldName("arguments");
                JSON.writeTree(g, redacted);
            }
        }
    }

    /**
     * JSON with object keys sorted at every level, as UTF-8, so equal arguments always give equal digests. Written
     * straight to bytes; arguments holding a surrogate take the text path, whose bytes the digest has always
     * covered (pairs as 4-byte UTF-8, a lone one as '?'), where the byte generator writes escapes (see AuditLine).
     */
    static byte[] canonical(JsonNode node) {
        try {
            return canonical(node, digestScratch());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] canonical(JsonNode node, JsonScratch scratch) throws IOException {
        byte[] bytes = scratch.write(g -> g.writeTree(node));
        return AuditLine.mayHoldSurrogateEscape(bytes) ? CANONICAL.writeValueAsString(node).getBytes(StandardCharsets.UTF_8) : bytes;
    }

    /** The writer thread's output for argument digests: keys sorted at every level. */
    static JsonScratch digestScratch() {
        return new JsonScratch(CANONICAL);
    }

    private static double round(double millis) {
        return Math.round(millis * 1000.0) / 1000.0;
    }

    private static void putIfPresent(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }
}
