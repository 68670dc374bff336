package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.approval.ApprovalOutcome;
import dev.tollgate.gateway.approval.ApprovalOverruled;
import dev.tollgate.gateway.approval.ApprovalRequest;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.approval.ShownArguments;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import io.opentelemetry.api.common.Attributes;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a call its policy sends to a person ({@code approve}), after its span records the decision and before
 * anything is forwarded: nothing reaches the upstream while it waits. Approved (or timed out with {@code on-timeout:
 * allow}), the call goes on as decided, unless a reload since has removed its route, moved its upstream, changed its
 * admission, or denies it or limits it anew
 * ({@link ApprovalRecheck}: refused {@code approval_superseded}); denied, timed out, or abandoned by a stopping gateway, the client gets an
 * error saying which, who and why ({@link ApprovalRefusal}). A client that goes away cancels the approval. The outcome
 * is on the span and, through the exchange, in the audit record.
 */
final class ApprovalStage implements Stage {

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalStage.class);

    private final Approvals approvals;
    private final ConcurrentCalls calls;
    private final ErrorResponder errors;
    /** What the serving result rules withhold, asked again when an approval is given after a reload. */
    private final WithheldTools withheld;
    /** Where an ask-client question's budget hold is parked for its retry (null without budgets). */
    private final Budgets budgets;
    /** The tools' listed inputs and the argument-name check: a held tool call is read and name-checked again on approval. */
    private final DeclaredEnums declaredEnums;
    private final ArgumentNameCheck argumentNames;

    ApprovalStage(Approvals approvals, ConcurrentCalls calls, ErrorResponder errors, WithheldTools withheld, Budgets budgets,
                  DeclaredEnums declaredEnums, ArgumentNameCheck argumentNames) {
        this.approvals = approvals;
        this.declaredEnums = declaredEnums;
        this.argumentNames = argumentNames;
        this.calls = calls;
        this.errors = errors;
        this.withheld = withheld;
        this.budgets = budgets;
    }

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.askClientAnswer() != null && exchange.decisions().size() == 1 && exchange.decisions().get(0) != null && !exchange.isDenied()) {
            return Future.succeededFuture(answeredInClient(exchange, exchange.decisions().get(0), exchange.askClientAnswer()));
        }
        if (exchange.askClientAnswer() != null && exchange.isDenied() && approvals != null) {
            noteRetryDenied(exchange, exchange.askClientAnswer());
        }
        if (exchange.decisions().size() != 1 || exchange.decisions().get(0) == null || !exchange.decisions().get(0).requiresApproval()
                || exchange.isDenied()) {
            return StageResult.proceed();
        }
        Decision decision = exchange.decisions().get(0);
        if (approvals == null) {
            return StageResult.proceed(); // the enforce stage refuses what nobody can approve
        }
        if (exchange.approvedContinuation() != null) {
            return Future.succeededFuture(carriedOn(exchange, decision, exchange.approvedContinuation()));
        }
        CallDescription call = exchange.calls().isEmpty() ? null : exchange.calls().get(0);
        boolean askClient = ClientElicitation.applies(exchange, decision.approval());
        boolean askClient2026 = ClientInputRequired.applies(exchange, decision.approval());
        PendingApproval approval = approvals.hold(request(exchange, decision, call), decision.approval(),
                askClient || askClient2026 ? ClientElicitation.asker(exchange) : null,
                exchange.policy() == null ? java.util.List.of() : exchange.policy().detectors());
        exchange.approval(approval);
        // AGT's tool_call_count: a held call kept its place (it may yet run); refused, timed out or abandoned, it ran no tool.
        approval.outcome().onSuccess(outcome -> {
            if (!outcome.allows()) {
                exchange.ranNoTool();
            }
        });
        if (exchange.trace() != null) {
            exchange.trace().annotate(Attributes.of(CallAttributes.APPROVAL_ID, approval.id()));
            // The call may wait minutes: its decision (approval required) is exported now, not when it ends.
            exchange.trace().exportDecisionNow();
        }
        if ((askClient || askClient2026) && !ApprovalQuestion.canAsk(approval.request())) {
            // A yes to arguments cut short would approve values the user never saw: the approvers, or the timeout, decide.
            LOG.info("approval {}: the client's user is not asked, the call's arguments are too long to show whole", approval.id());
        } else if (askClient2026) {
            // This request ends with the question, yet the call is still held: until the approval ends (approved, denied,
            // timed out, answered on any replica, or the gateway stops) it counts against the caller's and the route's
            // limits as held work, as a held 2025 call counts while its request is open (review AG: one caller kept forty
            // pending, limited to four calls). New tools/calls over the limits are refused 429 (TaskConcurrencyStage); the
            // retry that carries this call on is not. The outcome completes exactly once, and a hold is released once.
            ConcurrentCalls.Admitted held = calls.holdAskedApproval(exchange.route().route().name(), ConcurrencyStage.callerKey(exchange),
                    ConcurrencyStage.tenantKey(exchange), approval.id());
            approval.outcome().onComplete(v -> held.release());
            // Asked once every replica can see who was asked: the retry carrying the answer may reach any of them. This
            // request ends with the question; the approval stays pending for the retry, the approvers and its timeout.
            return approval.whenShared().map(v -> {
                if (approval.ended() != null) {
                    return concluded(exchange, decision, approval, approval.ended());
                }
                ClientInputRequired.ask(exchange, approval, budgets);
                return StageResult.RESPONDED;
            });
        } else if (askClient) {
            // Asked once every replica can see who was asked: the client's answer may reach any of them.
            approval.whenShared().onComplete(v -> {
                if (approval.ended() == null && !exchange.response().closed()) {
                    ClientElicitation.ask(exchange, approval);
                }
            });
        }
        exchange.response().closeHandler(v -> approvals.cancel(approval));
        return approval.outcome().map(outcome -> {
            exchange.response().closeHandler(null);
            return concluded(exchange, decision, approval, outcome);
        });
    }

    /**
     * A 2026 client's approved retry the serving policy refuses (the policy stage decided it anew, a reload having denied
     * it since the question): the approval's listing says so, as for a held call a reload superseded (review AV).
     */
    private void noteRetryDenied(Exchange exchange, AskClientAnswer answer) {
        Decision denial = exchange.decisions().size() == 1 ? exchange.decisions().get(0) : null;
        if (answer.outcome() == null || !answer.outcome().allows() || denial == null || !denial.isDenied() || !denial.enforcedDeny()) {
            return;
        }
        approvals.overruled(answer.approvalId(), new ApprovalOverruled(ApprovalRecheck.Cause.POLICY_DENIES.label(),
                "the policy serving now denies the call" + (denial.ruleName() == null ? "" : " (rule " + denial.ruleName() + ")"), Instant.now()));
    }

    /** Goes on, or answers the refusal, as the approval ended. */
    private StageResult concluded(Exchange exchange, Decision decision, PendingApproval approval, ApprovalOutcome outcome) {
        return concluded(exchange, decision, approval, outcome, null);
    }

    /** @param answered a 2026 client's retry's answer, whose question named the upstream the call was held for; else null */
    private StageResult concluded(Exchange exchange, Decision decision, PendingApproval approval, ApprovalOutcome outcome, AskClientAnswer answered) {
        annotate(exchange, approval, outcome);
        if (outcome.allows()) {
            // Approved under the configuration the call was held in; forwarded only if the one serving now agrees.
            ApprovalRecheck.Superseded superseded = ApprovalRecheck.check(exchange, withheld, declaredEnums, argumentNames);
            if (superseded == null && answered != null) {
                // The retry is a new request on the serving configuration: what it cannot see is what changed since the question.
                superseded = ApprovalRecheck.upstreamMovedSinceAsked(exchange, answered.heldUpstream());
                superseded = superseded != null ? superseded : ApprovalRecheck.limitAddedSinceAsked(exchange, answered.securedRateTokens());
            }
            if (superseded == null) {
                GatewaySnapshot serving = exchange.servingSnapshot();
                if (serving != exchange.snapshot()) {
                    // Let through on the serving configuration: its answer is read under the serving result rules too.
                    exchange.answerUnder(serving.policyFor(serving.routes().named(exchange.route().route().name())));
                }
                // What the state of its input_required answer names, should the tool ask its user (review BT): the approval
                // and how it ended, the first time and on every round after (review BZ).
                ApprovedContinuation continued = exchange.approvedContinuation();
                exchange.approvedOrigin(new ApprovedContinuation.Origin(approval.id(), approval.createdAt(),
                        continued != null ? continued.ending() : ApprovedContinuation.Ending.of(outcome), approvals.instance()));
                return StageResult.CONTINUE;
            }
            approvals.overruled(approval, new ApprovalOverruled(superseded.cause().label(), superseded.detail(), Instant.now()));
            return refused(exchange, approval, outcome, superseded);
        }
        if (outcome.verdict() == ApprovalOutcome.Verdict.CANCELLED && exchange.askClientAnswer() == null) {
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
    }

    /**
     * A 2026 client's retry carrying its user's answer ({@link AskClientRetryStage}): the approval ended then (or before),
     * and the call goes on or is refused as it ended, never held again. Should the policy no longer ask for an approval,
     * a refusal still stands (the user said no to this call), and an allowing ending leaves the call to the policy.
     */
    private StageResult answeredInClient(Exchange exchange, Decision decision, AskClientAnswer answer) {
        ApprovalTerms terms = decision.requiresApproval() && decision.approval() != null ? decision.approval() : ApprovalTerms.DEFAULT;
        ApprovalOutcome outcome = answer.outcome() != null ? answer.outcome()
                : new ApprovalOutcome(terms.onTimeout() == Action.ALLOW && decision.requiresApproval() ? ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED
                        : ApprovalOutcome.Verdict.TIMED_OUT_DENIED, "tollgate", "no decision within " + terms.timeout(), Instant.now());
        if (!decision.requiresApproval() && outcome.allows()) {
            return StageResult.CONTINUE;
        }
        CallDescription call = exchange.calls().isEmpty() ? null : exchange.calls().get(0);
        PendingApproval approval = PendingApproval.ended(answer.approvalId(), request(exchange, decision, call), terms, answer.askedAt(), outcome);
        exchange.approval(approval);
        if (exchange.trace() != null) {
            exchange.trace().annotate(Attributes.of(CallAttributes.APPROVAL_ID, approval.id()));
        }
        ApprovalRecheck.Superseded withdrawn = decision.requiresApproval() && outcome.allows()
                ? endingWithdrawn(decision, terms, ApprovedContinuation.Ending.of(outcome)) : null;
        if (withdrawn != null) {
            // Fix AU: the question's retry (a version-17 state) was taken whatever the serving rule said, so a reload turning
            // ask-client off (or on-timeout to deny) did not stop the client's own yes until the approval timed out. Refused
            // as a later round of an approved call is (fix AO), and noted on the approval's listing: the call was not forwarded.
            annotate(exchange, approval, outcome);
            approvals.overruled(approval, new ApprovalOverruled(withdrawn.cause().label(), withdrawn.detail(), Instant.now()));
            return refused(exchange, approval, outcome, withdrawn);
        }
        return concluded(exchange, decision, approval, outcome, answer);
    }

    /**
     * A retry carrying on a call its approval let through, with the user's answer to the tool's own question (review BT:
     * held again, the question was asked on every round and the tool never completed): the approval's yes stands for the
     * call it was given to (the state names this caller, this route, this tool and these arguments), so it is not held
     * again. The serving policy decided it (a denial refuses it before this), and the approval it carries on is on its
     * span and audit record.
     */
    private StageResult carriedOn(Exchange exchange, Decision decision, ApprovedContinuation continued) {
        CallDescription call = exchange.calls().isEmpty() ? null : exchange.calls().get(0);
        ApprovalTerms terms = decision.approval() != null ? decision.approval() : ApprovalTerms.DEFAULT;
        ApprovalOutcome outcome = new ApprovalOutcome(continued.ending() == ApprovedContinuation.Ending.TIMEOUT
                ? ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED : ApprovalOutcome.Verdict.APPROVED, "tollgate",
                "carries on the call approval " + continued.approvalId() + " let through (ended by " + continued.ending().written() + ")", Instant.now());
        PendingApproval approval = PendingApproval.ended(continued.approvalId(), request(exchange, decision, call), terms, continued.askedAt(), outcome);
        exchange.approval(approval);
        if (exchange.trace() != null) {
            exchange.trace().annotate(Attributes.of(CallAttributes.APPROVAL_ID, approval.id()));
        }
        ApprovalRecheck.Superseded withdrawn = endingWithdrawn(decision, terms, continued.ending());
        if (withdrawn != null) {
            // Not noted on the approval's listing: its call went on, on an earlier round.
            annotate(exchange, approval, outcome);
            return refused(exchange, approval, outcome, withdrawn);
        }
        return concluded(exchange, decision, approval, outcome);
    }

    /** Refuses an approved call {@code approval_superseded}. */
    private StageResult refused(Exchange exchange, PendingApproval approval, ApprovalOutcome outcome, ApprovalRecheck.Superseded superseded) {
        // The detail may quote the tool's name, the caller's text: logged as the audit record writes it (review CG).
        String detail = exchange.calls().isEmpty() ? superseded.detail() : dev.tollgate.gateway.telemetry.WrittenNames.quoting(
                superseded.detail(), exchange.calls().get(0), exchange.policy() == null ? java.util.List.of() : exchange.policy().detectors());
        LOG.info("approval {}: approved by {}, refused: {}", approval.id(), outcome.by(), detail);
        if (exchange.trace() != null) {
            exchange.trace().annotate(Attributes.of(CallAttributes.POLICY_ALLOWED, false,
                    CallAttributes.APPROVAL_SUPERSEDED, superseded.cause().label()));
        }
        exchange.ranNoTool(); // approved, yet refused: no tool ran (AGT's tool_call_count)
        exchange.errorType(RejectReason.APPROVAL_SUPERSEDED.code());
        ApprovalRefusal.superseded(exchange, errors, approval, outcome, superseded);
        return StageResult.RESPONDED;
    }

    /**
     * Whether the serving rule no longer accepts how the approval a round carries on ended (review BZ): a client's own yes
     * once {@code ask-client} is off (the operator wants a second pair of eyes), an allowing timeout once {@code
     * on-timeout} is deny. A chain of rounds can run as long as its tool keeps asking, each state valid for {@code
     * sessions.max-age} afresh, so it must not outlive the terms it was let through on. An approver's yes answers any
     * rule, as for a held call ({@link ApprovalRecheck}). Null when the ending is still accepted.
     */
    private static ApprovalRecheck.Superseded endingWithdrawn(Decision decision, ApprovalTerms terms, ApprovedContinuation.Ending ending) {
        String rule = decision.ruleName() == null ? "" : " (rule " + decision.ruleName() + ")";
        if (ending == ApprovedContinuation.Ending.CLIENT && !terms.askClient()) {
            return new ApprovalRecheck.Superseded(ApprovalRecheck.Cause.ASK_CLIENT_OFF, null, "the call was approved by its client's user,"
                    + " and the approval rule serving now" + rule + " no longer lets the client approve: call again without the requestState");
        }
        if (ending == ApprovedContinuation.Ending.TIMEOUT && terms.onTimeout() != Action.ALLOW) {
            return new ApprovalRecheck.Superseded(ApprovalRecheck.Cause.ON_TIMEOUT_DENY, null, "the call went on when its approval timed out,"
                    + " and the approval rule serving now" + rule + " denies on timeout: call again without the requestState");
        }
        return null;
    }

    private static ApprovalRequest request(Exchange exchange, Decision decision, CallDescription call) {
        // A bounded view, every member shown and long values cut where they are: the agent chooses its arguments' size, so
        // a size must never hide them all, and the approval (held, then in history) keeps the view, not the call's tree.
        ShownArguments shown = ShownArguments.of(call == null ? null : exchange.snapshot().redactor().redact(call.arguments()));
        String method = call != null ? call.method() : exchange.request().method().name();
        // An A2A file whose content travels inline is shown decoded when it is text every reader decodes the same way
        // (review AD: the instruction sat in a small text/plain file the approver never saw, under a view that read as
        // complete). Any other inline file is shown as its size and type only, and the view says it is not the whole call:
        // the approvers decide; the user is not asked through ask-client.
        boolean fileUnshown = exchange.a2a() != null && call != null && carriesInlineFile(call.arguments());
        return new ApprovalRequest(exchange.route().route().name(), method, call == null ? null : call.toolName(), shown.arguments(),
                !shown.complete() || fileUnshown, exchange.identity(), decision.policyName(), decision.ruleName(), decision.message());
    }

    /**
     * Whether an A2A call's view holds a file part whose content is inline (raw, bytes, or a {@code data:} URL) and not
     * shown: the view keeps its size, not its content (binary, not UTF-8, over 64 KiB, another charset). A data: URL
     * counts even with no size: an approver cannot read its base64 or percent-encoding (review AH).
     */
    static boolean carriesInlineFile(JsonNode view) {
        if (view == null) {
            return false;
        }
        for (JsonNode part : view.path("message").path("parts")) {
            boolean inline = part.path("size").asLong() > 0 || part.path("url").asText("").regionMatches(true, 0, "data:", 0, 5);
            if ("file".equals(part.path("kind").asText()) && inline && !part.has("content")) {
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
