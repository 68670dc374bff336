package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.pipeline.CallReadings;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.PolicyTestRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Re-evaluates recorded calls against another policy set and reports the decisions that would change:
 * "what would this policy change have done to last week's traffic". Each record is re-decided with the
 * call, identity and decision time it was recorded with ({@code decision.time}; a record written before it was kept,
 * at its {@code time}), under every reading the live gateway decides the call under ({@link CallReadings}: an A2A
 * message's other text joins and path tenant, each resource a listen watches), the strongest refusal deciding. Whether
 * the call was let through counts: a shadow deny replayed as an enforced one is a change. Arguments are available when
 * the log kept them ({@code audit.arguments: full}). Records without arguments are still replayed, with a note, since
 * rules on arguments then see none; so are records whose redacted member ({@code telemetry.redact}) a rule reads, with a
 * note: the rule decided on {@code [REDACTED]}, not the value.
 */
public final class AuditReplay {

    /** Reads numbers as the gateway read them (review AC: 10000.0000000000001 read back as a double replayed a deny as allowed). */
    private static final ObjectMapper JSON = dev.tollgate.protocols.json.ExactNumbers.readingExactly(new ObjectMapper());
    private static final int EXAMPLES_PER_CHANGE = 3;
    /**
     * The decision of a call the gateway refused before policy (a body too large, another caller's task...): written by the
     * gateway, not by a policy, so no policy set re-decides it, the override's neither.
     */
    public static final String REFUSED_POLICY = "tollgate-gateway";
    public static final String REFUSED_RULE = "refused_before_policy";
    /** How a refusal the policy only recorded (mode: shadow: the call was let through) is shown. */
    private static final String SHADOW = "(shadow)";

    /** One changed decision, for the report. */
    public record Change(String file, long line, String call, String before, String after) {
    }

    /** A record decided on a redacted member a rule reads: where, which call, and the member(s). */
    public record Redacted(String file, long line, String call, List<String> members) {
    }

    /**
     * @param changes "ALLOW -> DENY" style transitions with their counts, in first-seen order
     * @param withoutArguments records replayed without their arguments (their argument conditions saw none)
     * @param withoutClaims    records replayed without a claim the replaying policy reads (their claim conditions saw
     *                         none): kept by records only when the recording gateway's policies read it
     * @param readRedacted     records with a member redacted ({@code telemetry.redact}) that a rule of the replaying policy
     *                         reads: it read {@code [REDACTED]}, not the value, so their replayed decision says nothing
     * @param redactedExamples the first of them
     * @param refusedBeforePolicy records of calls the gateway refused before any policy decided them (rule
     *                         {@value #REFUSED_RULE} of policy {@value #REFUSED_POLICY}): no policy can re-decide them, so
     *                         they are counted apart, neither replayed nor skipped
     */
    public record Report(long replayed, long unchanged, long skipped, long withoutArguments, long withoutClaims,
                         Map<String, Long> changes, List<Change> examples, long readRedacted, List<Redacted> redactedExamples,
                         ArgumentsDigests.Tally digests, long refusedBeforePolicy) {

        public Report(long replayed, long unchanged, long skipped, long withoutArguments, long withoutClaims,
                      Map<String, Long> changes, List<Change> examples, long readRedacted, List<Redacted> redactedExamples,
                      ArgumentsDigests.Tally digests) {
            this(replayed, unchanged, skipped, withoutArguments, withoutClaims, changes, examples, readRedacted, redactedExamples,
                    digests, 0);
        }

        public Report(long replayed, long unchanged, long skipped, long withoutArguments, long withoutClaims,
                      Map<String, Long> changes, List<Change> examples) {
            this(replayed, unchanged, skipped, withoutArguments, withoutClaims, changes, examples, 0, List.of());
        }

        public Report(long replayed, long unchanged, long skipped, long withoutArguments, long withoutClaims,
                      Map<String, Long> changes, List<Change> examples, long readRedacted, List<Redacted> redactedExamples) {
            this(replayed, unchanged, skipped, withoutArguments, withoutClaims, changes, examples, readRedacted, redactedExamples,
                    ArgumentsDigests.Tally.NONE);
        }

        /** Records whose arguments are not those their {@code args_digest} was made of (see {@link ArgumentsDigests}). */
        public long argumentsMismatched() {
            return digests.mismatched();
        }

        public String render() {
            StringBuilder sb = new StringBuilder();
            sb.append("replayed ").append(replayed).append(" decision(s): ").append(unchanged).append(" unchanged, ")
                    .append(replayed - unchanged).append(" changed");
            if (skipped > 0) {
                sb.append(", ").append(skipped).append(" skipped (no policy of that name in the new set)");
            }
            sb.append('\n');
            if (refusedBeforePolicy > 0) {
                sb.append("note: ").append(refusedBeforePolicy).append(" record(s) of calls the gateway refused before any policy"
                        + " decided them (rule " + REFUSED_RULE + "): not re-decidable, not replayed\n");
            }
            if (withoutArguments > 0) {
                sb.append("note: ").append(withoutArguments).append(" record(s) kept no arguments (audit.arguments is not full): "
                        + "rules on arguments saw none\n");
            }
            if (withoutClaims > 0) {
                sb.append("note: ").append(withoutClaims).append(" record(s) kept no value of a claim the policy reads (the"
                        + " recording gateway's policies did not read it): rules on it saw none\n");
            }
            if (readRedacted > 0) {
                sb.append("note: ").append(readRedacted).append(" record(s) had a member redacted (telemetry.redact) that a rule"
                        + " of the policy reads, or a name written as its marker (a tool named with a secret): the rule read \"")
                        .append(dev.tollgate.gateway.telemetry.ArgumentRedactor.REDACTED)
                        .append("\", not the value, so their replayed decision is undecidable\n");
                redactedExamples.forEach(r -> sb.append("  ").append(r.file()).append(':').append(r.line()).append(' ').append(r.call())
                        .append(": redacted ").append(String.join(", ", r.members())).append('\n'));
            }
            sb.append(digests.render());
            changes.forEach((transition, count) -> sb.append("  ").append(transition).append(": ").append(count).append('\n'));
            if (!examples.isEmpty()) {
                sb.append("examples:\n");
                examples.forEach(e -> sb.append("  ").append(e.file()).append(':').append(e.line()).append(' ').append(e.call())
                        .append(": ").append(e.before()).append(" -> ").append(e.after()).append('\n'));
            }
            return sb.toString();
        }
    }

    private AuditReplay() {
    }

    /** @param policyOverride replay every record against this policy instead of the one it was decided by; may be null */
    public static Report replay(List<Path> files, PolicyBundle policies, String policyOverride) throws IOException {
        return replay(files, policies, policyOverride, null);
    }

    /**
     * @param digestKey the key the records' {@code args_digest} is keyed by ({@link dev.tollgate.policy.detect.FindingDigest#keyFrom}
     *                  of the gateway's digest key file), so each record's arguments are checked against it; null: keyed
     *                  digests are not checked, and the report says so
     */
    public static Report replay(List<Path> files, PolicyBundle policies, String policyOverride, byte[] digestKey) throws IOException {
        ArgumentsDigests digests = new ArgumentsDigests(digestKey);
        long replayed = 0;
        long unchanged = 0;
        long skipped = 0;
        long refusedBeforePolicy = 0;
        long withoutArguments = 0;
        long withoutClaims = 0;
        long readRedacted = 0;
        List<Redacted> redactedExamples = new ArrayList<>();
        Map<String, Long> changes = new LinkedHashMap<>();
        Map<String, Integer> examplesPerChange = new LinkedHashMap<>();
        List<Change> examples = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    JsonNode record = JSON.readTree(line);
                    JsonNode decision = record.path("decision");
                    if (refusedBeforePolicy(decision)) {
                        refusedBeforePolicy++;
                        continue;
                    }
                    String policyName = policyOverride != null ? policyOverride : decision.path("policy").asText(null);
                    CompiledPolicy policy = policyName == null ? null : policies.policy(policyName).orElse(null);
                    if (policy == null) {
                        skipped++;
                        continue;
                    }
                    if (!record.has("arguments")) {
                        withoutArguments++;
                    }
                    digests.check(record, file.getFileName().toString(), number, describe(record));
                    if (!AuditedClaims.kept(record.path("caller"), policy)) {
                        withoutClaims++;
                    }
                    List<String> redacted = redactedReads(record.get("arguments"), policy);
                    List<String> marked = namesWrittenAsMarkers(record);
                    if (!marked.isEmpty()) {
                        redacted = redacted.isEmpty() ? marked : java.util.stream.Stream.concat(redacted.stream(), marked.stream()).toList();
                    }
                    if (!redacted.isEmpty()) {
                        readRedacted++;
                        if (redactedExamples.size() < EXAMPLES_PER_CHANGE) {
                            redactedExamples.add(new Redacted(file.getFileName().toString(), number, describe(record), redacted));
                        }
                    }
                    Decision now = decide(policy, request(record));
                    String recorded = recordedAction(record);
                    String before = recorded + " (" + decision.path("rule").asText("default") + ")";
                    String after = replayedAction(now, record) + " (" + (now.ruleName() == null ? "default" : now.ruleName()) + ")";
                    replayed++;
                    if (before.equals(after)) {
                        unchanged++;
                        continue;
                    }
                    String transition = recorded + " -> " + replayedAction(now, record);
                    changes.merge(transition, 1L, Long::sum);
                    if (examplesPerChange.merge(transition, 1, Integer::sum) <= EXAMPLES_PER_CHANGE) {
                        examples.add(new Change(file.getFileName().toString(), number, describe(record), before, after));
                    }
                }
            }
        }
        return new Report(replayed, unchanged, skipped, withoutArguments, withoutClaims, changes, examples, readRedacted,
                List.copyOf(redactedExamples), digests.tally(), refusedBeforePolicy);
    }

    /** Whether the record's decision is the gateway's refusal before policy ({@link #REFUSED_RULE}). */
    private static boolean refusedBeforePolicy(JsonNode decision) {
        return REFUSED_POLICY.equals(decision.path("policy").asText(null)) && REFUSED_RULE.equals(decision.path("rule").asText(null));
    }

    /**
     * The decision as the live policy stage makes it: the call, then each of its other readings ({@link CallReadings}), the
     * strongest refusal deciding (review BD: the recorded reading alone replayed a refused A2A message and listen as unchanged).
     */
    private static Decision decide(CompiledPolicy policy, PolicyRequest request) {
        Decision decision = policy.evaluate(request);
        for (CallDescription reading : CallReadings.otherReadings(request.call())) {
            Decision other = policy.evaluate(new PolicyRequest(reading, request.identity(), request.time()));
            if (CallReadings.refusesMore(other, decision)) {
                decision = other;
            }
        }
        return decision;
    }

    /**
     * The members of the recorded arguments that were redacted ({@code [REDACTED]} in the record) and that a rule of
     * {@code policy} reads (at, inside or around them), as JSON pointers; empty for none.
     */
    private static List<String> redactedReads(JsonNode arguments, CompiledPolicy policy) {
        if (arguments == null || policy.argumentsRead().isEmpty()) {
            return List.of();
        }
        List<String> redacted = new ArrayList<>();
        collectRedacted(arguments, "", redacted);
        if (redacted.isEmpty()) {
            return List.of();
        }
        List<String> read = new ArrayList<>();
        for (String member : redacted) {
            for (String pointer : policy.argumentsRead()) {
                if (pointer.isEmpty() || member.equals(pointer) || member.startsWith(pointer + "/") || pointer.startsWith(member + "/")) {
                    read.add(member);
                    break;
                }
            }
        }
        return read;
    }

    /**
     * The name fields ({@code tool}, {@code resource}, {@code prompt}, {@code method}) the record holds as a marker
     * ({@code [REDACTED:secrets]}: the name held a secret or what the policy detects, {@code WrittenNames}): a rule on the
     * name reads the marker, not the name, so the replayed decision is undecidable; empty for none.
     */
    private static List<String> namesWrittenAsMarkers(JsonNode record) {
        List<String> marked = new ArrayList<>(0);
        for (String field : new String[] {"tool", "resource", "prompt", "method"}) {
            JsonNode value = record.get(field);
            if (value != null && value.isTextual() && dev.tollgate.policy.detect.RecordedNames.isMarker(value.textValue())) {
                marked.add(field);
            }
        }
        return marked;
    }

    private static void collectRedacted(JsonNode node, String at, List<String> into) {
        if (node.isTextual() && dev.tollgate.gateway.telemetry.ArgumentRedactor.REDACTED.equals(node.textValue())) {
            into.add(at);
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> collectRedacted(e.getValue(),
                    com.fasterxml.jackson.core.JsonPointer.compile(at).appendProperty(e.getKey()).toString(), into));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRedacted(node.get(i), at + "/" + i, into);
            }
        }
    }

    /**
     * The recorded action; an approval says how it ended: {@code APPROVE:approved}, {@code APPROVE:denied}, ...; a refusal
     * the policy only recorded ({@code mode: shadow}: the call was let through) is {@code DENY(shadow)} (review BD: replay
     * compared the action alone, and a rule switched from shadow to enforce changed nothing it reported).
     */
    private static String recordedAction(JsonNode record) {
        JsonNode decision = record.path("decision");
        String action = decision.path("action").asText().toUpperCase(Locale.ROOT);
        JsonNode approval = record.path("approval").path("outcome");
        if (approval.isTextual()) {
            return action + ":" + approval.asText();
        }
        boolean refusal = "DENY".equals(action) || "APPROVE".equals(action);
        // Records name the mode; one without it says whether the refusal was enforced.
        boolean shadow = decision.has("mode") ? "shadow".equals(decision.path("mode").asText())
                : decision.has("enforced") && !decision.path("enforced").asBoolean();
        return refusal && shadow ? action + SHADOW : action;
    }

    /**
     * The replayed action. A past approval stands as recorded: a call a person approved under the same kind of rule is
     * not reported as changed; an {@code approve} the recorded call never went through is one that would now wait.
     */
    private static String replayedAction(Decision now, JsonNode record) {
        boolean refusal = now.action() == dev.tollgate.policy.Action.DENY || now.action() == dev.tollgate.policy.Action.APPROVE;
        if (refusal && now.mode() == dev.tollgate.policy.Mode.SHADOW) {
            return now.action().name() + SHADOW;
        }
        if (now.action() != dev.tollgate.policy.Action.APPROVE) {
            return now.action().name();
        }
        JsonNode approval = record.path("approval").path("outcome");
        return approval.isTextual() ? "APPROVE:" + approval.asText() : "APPROVE:would wait for approval";
    }

    private static PolicyRequest request(JsonNode record) {
        ObjectNode call = JSON.createObjectNode();
        call.put("method", record.path("method").asText());
        copy(record, call, "tool");
        copy(record, call, "resource");
        copy(record, call, "prompt");
        copy(record, call, "direction");
        copy(record, call, "route");
        copy(record, call, "protocol"); // an A2A record is an A2A call ({protocol: a2a} rules), not MCP (review AC)
        if (record.has("arguments")) {
            call.set("arguments", record.get("arguments"));
        }
        // Decided at its decision time: a record's time is when the call ended, minutes later for a slow tool or a held
        // approval (review BD); records written before decision.time was kept have their time only.
        JsonNode decided = record.path("decision").path("time");
        Instant time = decided.isTextual() ? Instant.parse(decided.asText())
                : record.hasNonNull("time") ? Instant.parse(record.get("time").asText()) : Instant.now();
        return new PolicyRequest(PolicyTestRunner.call(call), caller(record.path("caller")), time);
    }

    /**
     * The caller as the gateway built it: the recorded OAuth subject, client and scopes are claims, as a validated token's
     * are (review AC: dropped, a {@code scope:} rule replayed allowed calls as denied).
     */
    private static Identity caller(JsonNode recorded) {
        Identity identity = PolicyTestRunner.identity(recorded);
        java.util.Map<String, Object> claims = new java.util.HashMap<>(identity.claims());
        if (recorded.path("oauth_sub").isTextual()) {
            claims.put("oauth_sub", recorded.get("oauth_sub").textValue());
        }
        if (recorded.path("client_id").isTextual()) {
            claims.put("client_id", recorded.get("client_id").textValue());
        }
        if (recorded.path("scopes").isArray()) {
            java.util.List<String> scopes = new java.util.ArrayList<>();
            recorded.get("scopes").forEach(scope -> scopes.add(scope.asText()));
            claims.put(dev.tollgate.policy.condition.ScopeCondition.CLAIM, java.util.List.copyOf(scopes));
        }
        return claims.equals(identity.claims()) ? identity : new Identity(identity.spiffeId(), identity.tenant(), identity.agent(),
                identity.run(), identity.subUser(), identity.parent(), identity.tree(), identity.capabilities(), claims);
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        if (from.hasNonNull(field)) {
            to.put(field, from.get(field).asText());
        }
    }

    private static String describe(JsonNode record) {
        String target = record.hasNonNull("tool") ? " " + record.get("tool").asText()
                : record.hasNonNull("resource") ? " " + record.get("resource").asText()
                : record.hasNonNull("prompt") ? " " + record.get("prompt").asText() : "";
        return record.path("method").asText() + target;
    }
}
