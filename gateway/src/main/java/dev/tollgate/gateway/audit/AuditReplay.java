package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * call, identity and time it was recorded with; arguments are available when the log kept them
 * ({@code audit.arguments: full}). Records without arguments are still replayed, with a note, since rules
 * on arguments then see none.
 */
public final class AuditReplay {

    /** Reads numbers as the gateway read them (review AC: 10000.0000000000001 read back as a double replayed a deny as allowed). */
    private static final ObjectMapper JSON = dev.tollgate.protocols.json.ExactNumbers.readingExactly(new ObjectMapper());
    private static final int EXAMPLES_PER_CHANGE = 3;

    /** One changed decision, for the report. */
    public record Change(String file, long line, String call, String before, String after) {
    }

    /**
     * @param changes "ALLOW -> DENY" style transitions with their counts, in first-seen order
     * @param withoutArguments records replayed without their arguments (their argument conditions saw none)
     * @param withoutClaims    records replayed without a claim the replaying policy reads (their claim conditions saw
     *                         none): kept by records only when the recording gateway's policies read it
     */
    public record Report(long replayed, long unchanged, long skipped, long withoutArguments, long withoutClaims,
                         Map<String, Long> changes, List<Change> examples) {

        public String render() {
            StringBuilder sb = new StringBuilder();
            sb.append("replayed ").append(replayed).append(" decision(s): ").append(unchanged).append(" unchanged, ")
                    .append(replayed - unchanged).append(" changed");
            if (skipped > 0) {
                sb.append(", ").append(skipped).append(" skipped (no policy of that name in the new set)");
            }
            sb.append('\n');
            if (withoutArguments > 0) {
                sb.append("note: ").append(withoutArguments).append(" record(s) kept no arguments (audit.arguments is not full): "
                        + "rules on arguments saw none\n");
            }
            if (withoutClaims > 0) {
                sb.append("note: ").append(withoutClaims).append(" record(s) kept no value of a claim the policy reads (the"
                        + " recording gateway's policies did not read it): rules on it saw none\n");
            }
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
        long replayed = 0;
        long unchanged = 0;
        long skipped = 0;
        long withoutArguments = 0;
        long withoutClaims = 0;
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
                    String policyName = policyOverride != null ? policyOverride : decision.path("policy").asText(null);
                    CompiledPolicy policy = policyName == null ? null : policies.policy(policyName).orElse(null);
                    if (policy == null) {
                        skipped++;
                        continue;
                    }
                    if (!record.has("arguments")) {
                        withoutArguments++;
                    }
                    if (!AuditedClaims.kept(record.path("caller"), policy)) {
                        withoutClaims++;
                    }
                    Decision now = policy.evaluate(request(record));
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
        return new Report(replayed, unchanged, skipped, withoutArguments, withoutClaims, changes, examples);
    }

    /** The recorded action; an approval says how it ended: {@code APPROVE:approved}, {@code APPROVE:denied}, ... */
    private static String recordedAction(JsonNode record) {
        String action = record.path("decision").path("action").asText().toUpperCase(Locale.ROOT);
        JsonNode approval = record.path("approval").path("outcome");
        return approval.isTextual() ? action + ":" + approval.asText() : action;
    }

    /**
     * The replayed action. A past approval stands as recorded: a call a person approved under the same kind of rule is
     * not reported as changed; an {@code approve} the recorded call never went through is one that would now wait.
     */
    private static String replayedAction(Decision now, JsonNode record) {
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
        Instant time = record.hasNonNull("time") ? Instant.parse(record.get("time").asText()) : Instant.now();
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
