package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.pinning.PinChange;
import dev.tollgate.gateway.pinning.PinState;
import dev.tollgate.gateway.pipeline.ResultVerdict;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.detect.Finding;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Audit records are written field by field by the writer thread, with no tree: every line must be the bytes the
 * tree path wrote before (AuditRecordsAsTree), since the hash chain, {@code tollgate replay} and every reader of
 * the log depend on the line as written. Checked over combinations of every part a record can have: MCP and A2A
 * calls, callers with and without AXID, SPIFFE and OAuth claims, each decision, approvals pending and ended,
 * unreviewed tools, result verdicts, the three argument modes with and without redaction, and text with
 * surrogates, control characters and quotes.
 */
class StreamedAuditRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-12-03T17:04:05.123456789Z");
    private static final String[] TEXTS = {"plain", "q\"uo\\te", "ctl\u0001\n", "\u00e9\u4e2d", "pair \ud83d\ude00", "lone x\ud800",
        "\\uD800 as text", ""};

    @Test
    void everyRecordIsTheLineTheTreePathWrote() throws Exception {
        Random random = new Random(20261205);
        int withSurrogates = 0;
        for (int n = 0; n < 3_000; n++) {
            Case c = randomCase(random);
            byte[] streamed = AuditLine.utf8(c.record(), n + 1, "prev-" + n, c.writing());
            byte[] tree = AuditRecordsAsTree.utf8(c.tree(), n + 1, "prev-" + n);
            assertThat(new String(streamed, StandardCharsets.UTF_8)).as("case %d", n).isEqualTo(new String(tree, StandardCharsets.UTF_8));
            assertThat(streamed).as("case %d", n).isEqualTo(tree);
            withSurrogates += new String(streamed, StandardCharsets.UTF_8).contains("\uFFFD") ? 1 : 0;
        }
        assertThat(withSurrogates).as("the text path was taken too").isGreaterThan(100);
    }

    @Test
    void anApprovedCallIsRecordedAsNotEnforcedAndTheLastResultVerdictWins() throws Exception {
        Decision approve = new Decision(Action.APPROVE, "needs-ok", "Ask first.", "p", Mode.ENFORCE);
        var approval = new AuditRecords.ApprovalState("ap-1", new ApprovalOutcome(ApprovalOutcome.Verdict.APPROVED, "alice", null,
                CREATED.plusMillis(1500)), CREATED);
        ResultVerdict first = new ResultVerdict("7", new Decision(Action.AUDIT, "first", null, "p", Mode.ENFORCE), List.of());
        ResultVerdict last = new ResultVerdict("7", new Decision(Action.REDACT, "last", null, "p", Mode.ENFORCE), List.of());
        var record = new AuditRecords.CallRecord(CREATED, CallDescription.mcpToolCall("r", "deploy", null), Identity.ANONYMOUS, approve,
                new AuditRecords.Outcome(200, null, 2, 1, null, "7", null), approval, List.of(), last, new ArgumentRedactor(List.of()));

        JsonNode line = JSON.readTree(AuditLine.utf8(record, 1, AuditChain.GENESIS, writing(AuditConfig.ArgumentsMode.NONE)));

        assertThat(line.path("decision").path("enforced").asBoolean(true)).isFalse();
        assertThat(line.path("approval").path("outcome").asText()).isEqualTo("approved");
        assertThat(line.path("approval").path("waited_ms").asDouble()).isEqualTo(1500.0);
        assertThat(line.path("result").path("rule").asText()).isEqualTo("last");
        assertThat(first.decision().ruleName()).isNotEqualTo("last");
    }

    private record Case(AuditRecords.CallRecord record, ObjectNode tree, AuditWriting writing) {
    }

    private static Case randomCase(Random random) throws Exception {
        String text = pick(random, TEXTS);
        CallDescription call = switch (random.nextInt(4)) {
            case 0 -> CallDescription.mcpToolCall("files", "read_" + text, arguments(random, text));
            case 1 -> CallDescription.mcpResourceRead("files", "file:///" + text);
            case 2 -> CallDescription.mcpPromptGet("files", text, random.nextBoolean() ? arguments(random, text) : null);
            default -> CallDescription.a2a("agents", "SendMessage", random.nextBoolean() ? "skill-" + text : null, a2aView(random, text));
        };
        Identity caller = random.nextBoolean() ? Identity.ANONYMOUS : new Identity(
                random.nextBoolean() ? "spiffe://prod.example/agent/" + text : null, "acme", random.nextBoolean() ? "planner" : null,
                "run-" + text, random.nextBoolean() ? "u-1" : null, random.nextBoolean() ? "parent-1" : null, "tree-1",
                random.nextBoolean() ? List.of("read", text) : List.of(), claims(random, text));
        Action action = pick(random, Action.values());
        Mode mode = random.nextBoolean() ? Mode.ENFORCE : Mode.SHADOW;
        Decision decision = new Decision(action, random.nextBoolean() ? "rule-" + text : null, random.nextBoolean() ? "Because " + text : null,
                random.nextBoolean() ? "policy" : null, mode);
        String requestId = random.nextInt(4) == 0 ? null : "req-" + random.nextInt(3);
        AuditRecords.Outcome outcome = new AuditRecords.Outcome(pick(random, new Integer[] {0, 200, 403, 502}),
                random.nextBoolean() ? "policy_denied" : null, random.nextDouble() * 100, random.nextBoolean() ? 0.0 : random.nextDouble() * 1e4,
                random.nextBoolean() ? "4bf92f3577b34da6a3ce929d0e0e4736" : null, requestId, random.nextBoolean() ? "2025-11-25" : null);
        AuditRecords.ApprovalState approval = null;
        if (decision.requiresApproval() && random.nextBoolean()) {
            ApprovalOutcome ended = random.nextBoolean() ? null : new ApprovalOutcome(pick(random, ApprovalOutcome.Verdict.values()),
                    "by-" + text, random.nextBoolean() ? "reason " + text : null, CREATED.plusNanos(random.nextInt(1_000_000_000)));
            approval = new AuditRecords.ApprovalState("ap-" + random.nextInt(9), ended, CREATED);
        }
        List<PinChange> pins = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            pins.add(new PinChange("tool-" + text + i, random.nextBoolean() ? PinState.CHANGED : PinState.NEW,
                    random.nextBoolean() ? "sha256:aa" : null, random.nextBoolean() ? "sha256:bb" : null));
        }
        List<ResultVerdict> verdicts = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            List<Finding> findings = random.nextBoolean() ? List.of()
                    : List.of(new Finding("pii", "email", "/content/0/text", 0, 5, "sha256:cc", false));
            verdicts.add(new ResultVerdict(random.nextBoolean() ? requestId : "other",
                    new Decision(pick(random, Action.values()), random.nextBoolean() ? "result-rule" : null, null, "p", Mode.ENFORCE), findings));
        }
        AuditConfig.ArgumentsMode argumentsMode = pick(random, AuditConfig.ArgumentsMode.values());
        List<String> redact = random.nextBoolean() ? List.of() : List.of("/secret", "/list/0");
        Instant time = CREATED.plusNanos(random.nextLong(86_400_000_000_000L));

        ObjectNode tree = AuditRecordsAsTree.of(time, call, caller, decision, outcome, argumentsMode);
        if (approval != null) {
            AuditRecordsAsTree.approval(tree, approval);
        }
        if (!pins.isEmpty()) {
            AuditRecordsAsTree.pinning(tree, pins);
        }
        ResultVerdict result = null;
        for (ResultVerdict verdict : verdicts) {
            if (requestId != null && requestId.equals(verdict.requestId())) {
                AuditRecordsAsTree.result(tree, verdict);
                result = verdict;
            }
        }
        AuditRecordsAsTree.finish(tree, argumentsMode, new ArgumentRedactor(redact), new InstantText());
        var record = new AuditRecords.CallRecord(time, call, caller, decision, outcome, approval, pins, result, new ArgumentRedactor(redact));
        return new Case(record, tree, writing(argumentsMode));
    }

    private static AuditWriting writing(AuditConfig.ArgumentsMode mode) {
        return new AuditWriting(mode, new InstantText());
    }

    private static JsonNode arguments(Random random, String text) {
        if (random.nextInt(5) == 0) {
            return null;
        }
        ObjectNode arguments = JSON.createObjectNode().put("text", text).put("secret", "s3cret").put("n", random.nextInt());
        arguments.putArray("list").add(text).add(1.5).addNull();
        arguments.putObject("nested").put("z", true).put(text, -7e300);
        return arguments;
    }

    private static JsonNode a2aView(Random random, String text) {
        if (random.nextInt(5) == 0) {
            return null;
        }
        ObjectNode view = JSON.createObjectNode().put("binding", "jsonrpc").put("version", "1.0").put("taskId", "t-" + text)
                .put("contextId", random.nextBoolean() ? "c-1" : null).put("skill", "echo");
        if (random.nextBoolean()) {
            view.putObject("push").put("url", "https://hooks.example/" + text);
        }
        if (random.nextBoolean()) {
            ObjectNode message = view.putObject("message").put("size", random.nextInt(10_000));
            message.putArray("parts").add(JSON.createObjectNode().put("kind", "text")).add(JSON.createObjectNode().put("kind", "file"))
                    .add(JSON.createObjectNode());
        }
        if (random.nextBoolean()) {
            view.putArray("extensions").add("https://ext.example/" + text);
        }
        return view;
    }

    private static Map<String, Object> claims(Random random, String text) {
        return switch (random.nextInt(4)) {
            case 0 -> Map.of();
            case 1 -> Map.of("oauth_sub", "sub-" + text, "client_id", "client-1");
            case 2 -> Map.of("scope", List.of("tools:read", text, 7));
            default -> Map.of("scope", List.of(), "client_id", 42);
        };
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... values) {
        return values[random.nextInt(values.length)];
    }
}
