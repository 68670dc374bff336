package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.ApprovalRequest;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.approval.ShownArguments;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import io.opentelemetry.api.common.Attributes;
import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a call its policy sends to a person ({@code approve}), after its span records the decision and before
 * anything is forwarded: nothing reaches the upstream while it waits. Approved (or timed out with {@code on-timeout:
 * allow}), the call goes on as decided; denied, timed out, or abandoned by a stopping gateway, the client gets an
 * error saying which, who and why ({@link ApprovalRefusal}). A client that goes away cancels the approval. The outcome
 * is on the span and, through the exchange, in the audit record.
 */
final class ApprovalStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalStage.class);

    private final Approvals approvals;
    private final ErrorResponder errors;

    ApprovalStage(Approvals approvals, ErrorResponder errors) {
        this.approvals = approvals;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.decisions().size() != 1 || exchange.decisions().get(0) == null || !exchange.decisions().get(0).requiresApproval()
                || exchange.isDenied()) {
            return StageResult.proceed();
        }
        Decision decision = exchange.decisions().get(0);
        if (approvals == null) {
            return StageResult.proceed(); // the enforce stage refuses what nobody can approve
        }
        CallDescription call = exchange.calls().isEmpty() ? null : exchange.calls().get(0);
        boolean askClient = ClientElicitation.applies(exchange, decision.approval());
        PendingApproval approval = approvals.hold(request(exchange, decision, call), decision.approval(),
                askClient ? ClientElicitation.asker(exchange) : null);
        exchange.approval(approval);
        if (exchange.trace() != null) {
            exchange.trace().annotate(Attributes.of(CallAttributes.APPROVAL_ID, approval.id()));
            // The call may wait minutes: its decision (approval required) is exported now, not when it ends.
            exchange.trace().exportDecisionNow();
        }
        if (askClient) {
            if (ApprovalQuestion.canAsk(approval.request())) {
                // Asked once every replica can see who was asked: the client's answer may reach any of them.
                approval.whenShared().onComplete(v -> {
                    if (approval.ended() == null && !exchange.response().closed()) {
                        ClientElicitation.ask(exchange, approval);
                    }
                });
            } else {
                // A yes to arguments cut short would approve values the user never saw: the approvers, or the timeout, decide.
                LOG.info("approval {}: the client's user is not asked, the call's arguments are too long to show whole", approval.id());
            }
        }
        exchange.response().closeHandler(v -> approvals.cancel(approval));
        return approval.outcome().map(outcome -> {
            exchange.response().closeHandler(null);
            annotate(exchange, approval, outcome);
            if (outcome.allows()) {
                return StageResult.CONTINUE;
            }
            if (outcome.verdict() == ApprovalOutcome.Verdict.CANCELLED) {
                exchange.errorType("client_aborted");
                return StageResult.RESPONDED;
            }
            RejectReason reason = switch (outcome.verdict()) {
                case TIMED_OUT_DENIED -> RejectReason.APPROVAL_TIMEOUT;
                case GATEWAY_STOPPED -> RejectReason.APPROVAL_ABANDONED;
                default -> RejectReason.APPROVAL_DENIED;
            };
            exchange.errorType(reason.code());
            ApprovalRefusal.respond(exchange, errors, decision, approval, outcome, reason);
            return StageResult.RESPONDED;
        });
    }

    private static ApprovalRequest request(Exchange exchange, Decision decision, CallDescription call) {
        // A bounded view, every member shown and long values cut where they are: the agent chooses its arguments' size, so
        // a size must never hide them all, and the approval (held, then in history) keeps the view, not the call's tree.
        ShownArguments shown = ShownArguments.of(call == null ? null : exchange.snapshot().redactor().redact(call.arguments()));
        String method = call != null ? call.method() : exchange.request().method().name();
        // An A2A file whose content travels inline is shown as its size and type only: the view is not the whole call, and
        // says so (review AD: the instruction sat in a small text/plain file the approver never saw, under a view that read as
        // complete). Marked so, the approvers decide; the user is not asked through ask-client.
        boolean fileUnshown = exchange.a2a() != null && call != null && carriesInlineFile(call.arguments());
        return new ApprovalRequest(exchange.route().route().name(), method, call == null ? null : call.toolName(), shown.arguments(),
                !shown.complete() || fileUnshown, exchange.identity(), decision.policyName(), decision.ruleName(), decision.message());
    }

    /** Whether an A2A call's view holds a file part whose content is inline (raw, bytes): the view keeps its size, not its content. */
    static boolean carriesInlineFile(JsonNode view) {
        if (view == null) {
            return false;
        }
        for (JsonNode part : view.path("message").path("parts")) {
            if ("file".equals(part.path("kind").asText()) && part.path("size").asLong() > 0) {
                return true;
            }
        }
        return false;
    }

    private static void annotate(Exchange exchange, PendingApproval approval, ApprovalOutcome outcome) {
        if (exchange.trace() == null) {
            return;
        }
        var attributes = Attributes.builder()
                .put(CallAttributes.APPROVAL_OUTCOME, outcome.verdict().label())
                .put(CallAttributes.APPROVAL_BY, outcome.by())
                .put(CallAttributes.APPROVAL_WAIT_MS, Duration.between(approval.createdAt(), outcome.at()).toNanos() / 1e6)
                .put(CallAttributes.POLICY_ALLOWED, outcome.allows());
        if (outcome.reason() != null) {
            attributes.put(CallAttributes.APPROVAL_REASON, outcome.reason());
        }
        exchange.trace().annotate(attributes.build());
    }
}
