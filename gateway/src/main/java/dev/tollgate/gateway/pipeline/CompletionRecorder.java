package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.audit.AuditRecords;
import dev.tollgate.gateway.budget.CallCharge;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens when a call ends, however it ends (answered, denied, failed over, timed out, abandoned by
 * the client): the spans are ended, the meters record it, and one audit record per decision is queued (one for an
 * identified caller's call the gateway refused before any decision: {@link RefusalRecords}).
 * Runs once per exchange, from the outside of the stages (no stage records anything by hand).
 */
public final class CompletionRecorder {


    private final GatewayServices services;
    private final LateCosts lateCosts;
    private final A2aContinuedTaskCosts continuedTasks;

    public CompletionRecorder(GatewayServices services) {
        this.services = services;
        this.lateCosts = new LateCosts(services);
        this.continuedTasks = new A2aContinuedTaskCosts(services);
    }

    void completed(Exchange exchange) {
        if (!exchange.markCompleted()) {
            return;
        }
        exchange.runCompletionActions();
        if (!exchange.sentUpstream() && !exchange.askedInClient()) {
            // AGT's tool_call_count counts calls that ran: a call let through that never reached an instance (every
            // instance refused the connection, the client left first) ran no tool. A call answered with the gateway's own
            // ask-client question keeps its place: its retry is the call, and reads the count without itself.
            exchange.ranNoTool();
        }
        int status = exchange.response().getStatusCode();
        String error = exchange.errorType();
        if (exchange.trace() != null) {
            exchange.trace().upstreamTook(exchange.upstreamNanos());
            exchange.trace().end(status, error);
        }
        settleCharges(exchange, status, error);
        if (exchange.outcome() != null && services.budgets() != null) {
            lateCosts.answersRelayed(exchange);
        }
        long totalNanos = System.nanoTime() - exchange.startNanos();
        String decisionLabel = decisionLabel(exchange);
        services.metrics().completed(exchange.route().route().name(), methodLabel(exchange), decisionLabel,
                totalNanos, exchange.upstreamNanos());
        recent(exchange, decisionLabel, status, totalNanos);
        exchange.resultVerdicts().forEach(v -> services.metrics().resultDecided(exchange.route().route().name(), v.action()));
        // The call the decision shown is of (a batch's deciding element, as the admin page's row): review BK, the line of
        // [echo, wipe_disk] named echo beside wipe_disk's denial.
        CallDescription shown = exchange.calls().isEmpty() ? null : exchange.calls().get(decidingIndex(exchange));
        String skill = exchange.a2a() != null && exchange.a2a().call() != null ? exchange.a2a().call().skill() : null;
        AccessLog.write(exchange, shown != null ? shown.method() : methodLabel(exchange), shown == null ? skill : targetOf(shown),
                decisionLabel, status, totalNanos);
        if (services.audit() == null) {
            return;
        }
        List<AuditRecords.CallRecord> records = new ArrayList<>(exchange.decisions().size());
        String route = exchange.route().route().name();
        if (exchange.a2a() != null) {
            // One call per A2A request: its decision, if policy decided one (the public card is not decided).
            if (exchange.a2a().call() != null && !exchange.decisions().isEmpty()) {
                A2aExchange a2a = exchange.a2a();
                CallDescription decided = exchange.calls().isEmpty() ? A2aCallDescriber.describe(route, a2a.call()) : exchange.calls().get(0);
                records.add(record(exchange, decided, exchange.decisions().get(0), status, error, totalNanos, a2a.jsonRpcId()));
            } else if (!exchange.pinFindings().isEmpty() || exchange.policy() != null
                    && exchange.resultVerdicts().stream().anyMatch(v -> v.decision().ruleName() != null)) {
                // The public card is no decided call, but a card showing unreviewed skills, or one a result rule matched
                // (what it withheld or redacted), must be on record. A card that passed is not: the unauthenticated
                // discovery fetch must not fill the audit queue.
                Decision decision = !exchange.pinFindings().isEmpty() ? PinDecisions.UNREVIEWED_CARD : exchange.policy().resultPass();
                records.add(record(exchange, CallDescription.a2a(route, PinDecisions.PUBLIC_CARD, null, null), decision,
                        status, error, totalNanos, null));
            }
        } else {
            for (int i = 0; i < exchange.decisions().size(); i++) {
                Decision decision = exchange.decisions().get(i);
                if (decision != null) {
                    McpMessage message = exchange.messages().get(i);
                    records.add(record(exchange, exchange.calls().get(i), decision, status, error, totalNanos,
                            McpCallDescriber.requestIdValue(message)));
                }
            }
        }
        RejectReason refused = records.isEmpty() ? RefusalRecords.refusal(exchange) : null;
        if (refused != null) {
            // Refused before policy decided anything (no record above): on record all the same, so the audit shows what an
            // identified caller tried; admitted calls queue it on their admission, earlier ones only if it fits (counted).
            records.add(record(exchange, RefusalRecords.call(exchange), RefusalRecords.decision(refused), status, error, totalNanos,
                    RefusalRecords.requestId(exchange), null));
        }
        queue(exchange.auditAdmission(), records);
    }

    /** Queues the records on the call's admission (when-full: reject), never refused; without one, each only if it fits. */
    private void queue(AuditLog.Admission admission, List<AuditRecords.CallRecord> records) {
        AuditLog audit = services.audit();
        if (admission != null) {
            audit.queueAdmitted(admission, records);
            return;
        }
        records.forEach(audit::offer);
    }

    /**
     * Ends each charge: the actual cost (reported by the upstream, else priced) is recorded when the call
     * succeeded; holds are released when it failed, or timed out or was abandoned before it was sent (once sent, it runs on
     * and pays its estimate). The answer's result is
     * known for a single call only; calls of a batch are charged their estimate. An MCP 2026-07-28 answer
     * that asks for input ({@code resultType: input_required}) did not complete the call: its hold is released,
     * and the retry carrying the input is the call that pays, so the two legs are one priced call.
     */
    private void settleCharges(Exchange exchange, int status, String error) {
        if (exchange.charges().isEmpty()) {
            return;
        }
        if (exchange.askedInClient()) {
            // Answered with the gateway's ask-client question: nothing ran upstream. Its hold was parked for the retry
            // (ClientInputRequired.parkHold), which pays if forwarded; a charge left here holds nothing to park: released.
            exchange.charges().forEach(charge -> services.budgets().settle(charge, false, 0));
            return;
        }
        ResponseOutcome outcome = exchange.outcome();
        // One answer to read: a single MCP request, or an A2A call (its JSON-RPC response, or the HTTP+JSON body itself).
        boolean single = exchange.payload() instanceof JsonRpcPayload.Single || exchange.a2a() != null;
        // A client that leaves does not cancel the call (MCP: a disconnect is not a cancellation): a call already sent
        // runs on, so with no answer seen it pays its estimate (review revJ: six abandoned calls ran upstream and the
        // budget never moved); an answer seen before it left settles it as usual.
        // So does a call the gateway stopped waiting for (review Y: a response-timeout let six calls run on a budget for three).
        boolean leftAfterSending = ("client_aborted".equals(error) || RejectReason.UPSTREAM_TIMEOUT.code().equals(error))
                && exchange.sentUpstream();
        boolean statusOk = error == null && status >= 200 && status < 300;
        PricingTable pricing = exchange.snapshot().config().budget().pricing();
        List<CallCharge> charges = exchange.charges();
        for (int i = 0; i < charges.size(); i++) {
            CallCharge charge = charges.get(i);
            // A batch's answer holds one response per call (review revJ: every call of a batch paid its estimate, never
            // the cost its result reported, nor was released when its own response was an error).
            JsonNode own = single ? null : outcome.responseTo(exchange.chargedRequestId(i));
            boolean seen = single ? outcome.result() != null || outcome.failed() : own != null;
            JsonNode result = single ? outcome.result() : own == null ? null : own.get("result");
            if (exchange.a2a() != null && exchange.a2a().call() != null) {
                // The pricing pointers read 1.0's shape, whichever generation answered.
                result = A2aAnswerShape.current(result, exchange.a2a().call().legacy());
                result = LateCosts.finishedOnItsStream(result, outcome);
            }
            boolean answered = statusOk || leftAfterSending;
            if (seen && answered && awaitsInput(result)) {
                // The leg ran upstream work before it asked for input, and nothing obliges the caller to retry (review Y: five
                // abandoned legs ran free on $3.75 reported): it pays what it reports, never its estimate, so a leg that
                // reports nothing still leaves the retry the one priced call.
                services.budgets().settle(charge, true, charge.priced() ? pricing.reportedMicros(charge.route(), result) : 0);
                continue;
            }
            boolean paid = seen ? answered && result != null : answered;
            // An unpriced call (a list, a read, a task's follow-up) a budget rule covered held 0 and pays 0 (review Y: it was
            // settled at its route's or tool's price, every tasks/get poll at the tool's). A priced one pays from the price it
            // was held at: an A2A send of a skill the gateway does not know was priced at its route's dearest skill (review Y).
            long actual = charge.priced() ? pricing.actualMicros(charge.route(), charge.estimateMicros(), result) : 0;
            if (paid && (LateCosts.createsTask(result) || exchange.a2a() != null && LateCosts.startsA2aTask(result))) {
                // A task's creation pays at least its estimate, whatever it reports (review Z: a CreateTaskResult reporting $0
                // let every task start on a spent budget); its result pays the rest.
                actual = Math.max(actual, charge.estimateMicros());
            }
            services.budgets().settle(charge, paid, actual);
            if (paid && charge.priced() && exchange.a2a() == null) {
                lateCosts.callEnded(exchange, i, charge, seen ? result : null, actual);
            } else if (paid && charge.priced() && exchange.a2a() != null && LateCosts.startsA2aTask(result)) {
                lateCosts.a2aTaskStarted(exchange, charge, result, actual);
            } else if (paid && charge.priced() && finishesContinuedTask(exchange, result)) {
                // It paid the finished task's report: the send that started the task must not pay it again (review AD).
                continuedTasks.finishedBySend(exchange, exchange.a2a().call().taskId());
            }
        }
    }

    /**
     * A response the upstream sent to a call its client abandoned (read after the exchange ended): a task it created holds
     * the caller's slot as any task does, and what it reports is charged as a late answer.
     */
    void abandonedAnswer(Exchange exchange, JsonNode response) {
        if (exchange.a2a() != null) {
            return;
        }
        JsonNode result = response.get("result");
        if (result != null && LateCosts.createsTask(result)) {
            ConcurrencyStage.taskStarted(services.concurrentCalls(), exchange, result.path("task").get("taskId").textValue());
        }
        if (services.budgets() != null && result != null && !awaitsInput(result)) {
            lateCosts.abandonedAnswer(exchange, response.get("id"), result);
        }
    }

    private static boolean awaitsInput(JsonNode result) {
        return result != null && "input_required".equals(result.path("resultType").asText(null));
    }

    /**
     * Whether an A2A send continuing a task ({@code message.taskId}) was answered, or streamed, with that task done. Only
     * a continuation can find a deferral of its task, so a send starting one costs no take (a Redis round trip per send).
     */
    private static boolean finishesContinuedTask(Exchange exchange, JsonNode result) {
        var call = exchange.a2a() == null ? null : exchange.a2a().call();
        if (call == null || !call.method().sendsMessage() || call.taskId() == null) {
            return false;
        }
        A2aTaskStates.Seen seen = A2aTaskStates.seen(result);
        return seen != null && seen.terminal() && call.taskId().equals(seen.taskId());
    }

    /**
     * A server-to-client request decided on an SSE stream (sampling, elicitation): audited when decided.
     *
     * @return false when its record was dropped by a full queue under {@code when-full: reject}: then the request is not
     *         delivered, as a call that could not be recorded is not made (review revJ: it was relayed unrecorded)
     */
    boolean serverRequestDecided(Exchange exchange, CallDescription call, Decision decision, JsonNode id) {
        services.metrics().serverRequestDecided(exchange.route().route().name(), call.method(), decision.enforcedDeny());
        boolean recorded = true;
        if (services.audit() != null) {
            // Not admitted with the call: the request was decided mid-stream; a full queue drops (and counts) it.
            boolean queued = services.audit().offer(record(exchange, call, decision, 0, decision.enforcedDeny() ? "policy_denied" : null,
                    System.nanoTime() - exchange.startNanos(), id, Instant.now()));
            recorded = queued || services.audit().config().whenFull() != dev.tollgate.gateway.config.AuditConfig.WhenFull.REJECT;
        }
        if (exchange.trace() != null) {
            // On the call's span, so telemetry.sample-allowed keeps the trace the denial's record names, or the only trace
            // left of a request withheld unrecorded (review BN: the call's span read as an allowed call's and was dropped).
            if (decision.enforcedDeny()) {
                exchange.trace().serverRequestDenied();
            }
            if (!recorded) {
                exchange.trace().serverRequestUnrecorded();
            }
        }
        return recorded;
    }

    private AuditRecords.CallRecord record(Exchange exchange, CallDescription call, Decision decision, int status, String error,
                                           long totalNanos, JsonNode id) {
        return record(exchange, call, decision, status, error, totalNanos, id, exchange.decidedAt());
    }

    /**
     * @param id        the call's JSON-RPC id (null for none), recorded with its JSON type and matched to its result verdicts
     *                  by it: {@code 1} and {@code "1"} in one batch are two calls (review BD: one's verdict went into both records)
     * @param decidedAt when policy decided the call; null when unknown
     */
    private AuditRecords.CallRecord record(Exchange exchange, CallDescription call, Decision decision, int status, String error,
                                           long totalNanos, JsonNode id, Instant decidedAt) {
        String traceId = exchange.trace() == null ? null : exchange.trace().traceId();
        AuditRecords.Outcome outcome = AuditRecords.Outcome.of(status, error, totalNanos / 1e6, exchange.upstreamNanos() / 1e6, traceId, id,
                exchange.a2a() != null ? a2aVersion(exchange.a2a()) : exchange.mcpRevision());
        String requestId = ResponseOutcome.keyOrNull(id);
        AuditRecords.ApprovalState approval = exchange.approval() != null && decision.requiresApproval()
                ? AuditRecords.ApprovalState.of(exchange.approval()) : null;
        // Every verdict on this request's result is joined into the one on record, the strongest deciding (a result and
        // the lists in it are decided apart); a request the server sent has its own verdicts, whatever client call shares
        // its id. An HTTP+JSON A2A call has no request id: its verdicts carry none either.
        boolean serverRequest = CallDescription.SERVER_TO_CLIENT.equals(call.direction());
        boolean unnumbered = requestId == null && exchange.a2a() != null && exchange.a2a().restShaped();
        ResultVerdict result = null;
        for (ResultVerdict verdict : exchange.resultVerdicts()) {
            boolean ofThisCall = requestId != null ? requestId.equals(verdict.requestId()) : unnumbered && verdict.requestId() == null;
            if (ofThisCall && verdict.ofServerRequest() == serverRequest) {
                result = result == null ? verdict : result.joinedWith(verdict);
            }
        }
        return new AuditRecords.CallRecord(Instant.now(), call, exchange.identity(), decision, outcome, approval, exchange.pinFindings(), result,
                exchange.snapshot().redactor(), exchange.snapshot().auditedClaims(), decidedAt,
                // The names it writes are read with the detectors of the policy the call was decided under (review CG).
                exchange.policy() == null ? List.of() : exchange.policy().detectors());
    }

    /** The A2A generation the call spoke, as the audit and the {@code /version} policy pointer name it. */
    private static String a2aVersion(A2aExchange a2a) {
        return a2a.call() == null ? null : a2a.call().legacy() ? "0.3" : "1.0";
    }

    /** What a call acts on: its tool (A2A: skill), resource or prompt. */
    private static String targetOf(CallDescription call) {
        return call.toolName() != null ? call.toolName() : call.resourceUri() != null ? call.resourceUri() : call.promptName();
    }

    /** For the admin page: the first decided call of the request (a batch shows as its first element). */
    private void recent(Exchange exchange, String decisionLabel, int status, long totalNanos) {
        if (services.recentDecisions() == null) {
            return;
        }
        // The deciding element of a batch (ShownDecision's, as the span's and the metric's): the one the row's decision is.
        int shown = decidingIndex(exchange);
        CallDescription call = shown < exchange.calls().size() ? exchange.calls().get(shown) : null;
        Decision decision = shown < exchange.decisions().size() ? exchange.decisions().get(shown) : null;
        // Names as the audit record writes them (review CG): the admin page is read by more people than the log.
        String target = call == null ? null : WrittenNames.of(targetOf(call), exchange.policy());
        services.recentDecisions().record(Instant.now(), exchange.route().route().name(),
                WrittenNames.of(call != null ? call.method() : methodLabel(exchange), exchange.policy()),
                target, exchange.identity(), decisionLabel, decision == null ? null : decision.policyName(),
                decision == null ? null : decision.ruleName(), exchange.errorType(), status, totalNanos / 1e6,
                exchange.trace() == null ? null : exchange.trace().traceId(), call == null || !keepsArguments(exchange) ? null : call.arguments(),
                call, exchange.snapshot().redactor());
    }

    /** The index of the decision shown ({@link ShownDecision}) when it has its call, else 0. */
    private static int decidingIndex(Exchange exchange) {
        int shown = ShownDecision.indexOf(exchange.decisions());
        return shown >= 0 && shown < exchange.calls().size() && exchange.calls().get(shown) != null ? shown : 0;
    }

    /**
     * Whether the admin page keeps the call's arguments: not where the audit keeps none ({@code audit.arguments: none}: the
     * operator records no argument anywhere; review AA found the page kept them all the same), nor from large requests.
     */
    private static boolean keepsArguments(Exchange exchange) {
        return smallBody(exchange) && exchange.snapshot().config().audit().arguments() != dev.tollgate.gateway.config.AuditConfig.ArgumentsMode.NONE;
    }

    /**
     * The admin page keeps a call's parsed arguments for its "why?": only from small requests, so 512 remembered calls
     * of the largest allowed body (limits.max-body-bytes) cannot pin gigabytes of heap.
     */
    private static boolean smallBody(Exchange exchange) {
        return exchange.body() != null && exchange.body().length() <= RECENT_ARGUMENTS_MAX_BYTES;
    }

    static final int RECENT_ARGUMENTS_MAX_BYTES = 16 * 1024;

    private static String methodLabel(Exchange exchange) {
        if (exchange.a2a() != null && exchange.a2a().call() != null) {
            return exchange.a2a().call().method().canonicalName();
        }
        if (exchange.messages().isEmpty()) {
            return exchange.request().method().name();
        }
        if (exchange.payload() instanceof JsonRpcPayload.Batch) {
            return "batch";
        }
        String method = exchange.messages().get(0).method();
        return method == null ? "response" : method;
    }

    /** allowed, denied, audited, shadow_denied, approved, approval_refused, approval_asked, not_policed, or rejected (answered before policy ran). */
    private static String decisionLabel(Exchange exchange) {
        if (exchange.a2a() != null) {
            if (exchange.a2a().call() == null && !(exchange.a2a().target() instanceof dev.tollgate.protocols.a2a.A2aTarget.AgentCard)) {
                return "rejected";
            }
        } else if (exchange.payload() == null && exchange.request().method() == io.vertx.core.http.HttpMethod.POST) {
            return "rejected";
        }
        // The decision the span shows too (review AN: this counted a batch's last, the span its first).
        Decision d = ShownDecision.of(exchange.decisions());
        if (d == null) {
            return "not_policed";
        }
        if (d.requiresApproval()) {
            if (exchange.approval() != null && exchange.approval().ended() == null) {
                // Answered with the ask-client question of a 2026 client (ClientInputRequired): its retry decides.
                return "approval_asked";
            }
            // Approved, then superseded by a reload (ApprovalRecheck): refused, not forwarded.
            boolean superseded = RejectReason.APPROVAL_SUPERSEDED.code().equals(exchange.errorType());
            return exchange.approval() != null && exchange.approval().ended().allows() && !superseded ? "approved" : "approval_refused";
        }
        if (d.enforcedDeny()) {
            return "denied";
        }
        return d.isDenied() ? "shadow_denied" : d.action() == dev.tollgate.policy.Action.AUDIT ? "audited" : "allowed";
    }

}
