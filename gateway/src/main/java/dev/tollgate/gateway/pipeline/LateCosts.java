package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.budget.CallCharge;
import dev.tollgate.gateway.budget.DeferredCosts;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.tasks.DeferredStreamAnswer;
import dev.tollgate.gateway.tasks.DeferredTaskCost;
import dev.tollgate.gateway.tasks.EarlyTaskResult;
import dev.tollgate.gateway.tasks.SharedTaskStore;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMessage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Charges the costs answers report after the exchange that paid for their call ended (review Y, review Z): a task's
 * result ({@code tasks/result}), a call's answer on a stream the client resumed, the result of a {@code tasks/result}
 * whose own stream ended early. A call answered with a task or whose stream ended unanswered is kept in
 * {@link DeferredCosts} ({@link #callEnded}); the exchange relaying its late answer takes it and charges what the answer
 * reports beyond what the call paid ({@link #answersRelayed}).
 */
final class LateCosts {

    private static final Logger LOG = LoggerFactory.getLogger(LateCosts.class);

    private final GatewayServices services;

    LateCosts(GatewayServices services) {
        this.services = services;
    }

    /** Whether a result is a {@code CreateTaskResult}: the call's work goes on as a task. */
    static boolean createsTask(JsonNode result) {
        return result != null && result.path("task").path("taskId").isTextual();
    }

    /** Whether an A2A answer (read in 1.0's shape) is a task still running: the agent's work goes on, its cost comes later. */
    static boolean startsA2aTask(JsonNode result) {
        A2aTaskStates.Seen seen = A2aTaskStates.seen(result);
        return seen != null && !seen.terminal();
    }

    /**
     * The answer to price a streaming send by: the task its first event started, as its last showed it done, when the
     * stream showed that (its final cost is known now, nothing is deferred); else the first answer itself.
     */
    static JsonNode finishedOnItsStream(JsonNode first, ResponseOutcome outcome) {
        JsonNode finished = outcome.finishedTask();
        if (finished == null || !startsA2aTask(first)) {
            return first;
        }
        return A2aTaskStates.seen(first).taskId().equals(A2aTaskStates.seen(finished).taskId()) ? finished : first;
    }

    /** A priced A2A send answered with a task still running: kept for the answer that shows the task done (review Z). */
    void a2aTaskStarted(Exchange exchange, CallCharge charge, JsonNode result, long paid) {
        taskCreated(exchange, A2aTaskStates.seen(result).taskId(), new DeferredCosts.Deferred(charge, paid));
    }

    /**
     * A priced MCP call ended having paid {@code paid}: kept for the answer that reports its cost later when it was
     * answered with a task, or when no answer was seen (its stream ended first).
     *
     * @param result the call's result, or null when no answer was seen
     */
    void callEnded(Exchange exchange, int index, CallCharge charge, JsonNode result, long paid) {
        DeferredCosts.Deferred deferred = new DeferredCosts.Deferred(charge, paid);
        if (createsTask(result)) {
            taskCreated(exchange, result.path("task").get("taskId").textValue(), deferred);
        } else if (result == null) {
            String requestId = requestIdText(exchange, exchange.chargedRequestId(index));
            String owner = CallerKey.of(exchange.identity());
            if (requestId != null && owner != null) {
                streamLeftUnanswered(exchange, owner, requestId, DeferredCosts.StreamAnswer.ofCharge(deferred));
            }
        }
    }

    /**
     * The JSON text of the request id of a charged request ({@link ResponseOutcome#key} form), as stream event ids seal it:
     * a batch's requests too (review Z: wrapping a call in a batch escaped the resumed stream's charge).
     */
    private static String requestIdText(Exchange exchange, String idKey) {
        if (idKey == null || exchange.payload() == null) {
            return null;
        }
        for (JsonRpcMessage message : exchange.payload().messages()) {
            if (message instanceof JsonRpcRequest request && idKey.equals(ResponseOutcome.key(request.id().value()))) {
                return request.id().toString();
            }
        }
        return null;
    }

    /** Keeps a task's call for its result (shared with the other replicas when tasks are); settles it now if that came first. */
    private void taskCreated(Exchange exchange, String taskId, DeferredCosts.Deferred deferred) {
        // Under every key of the scope, as the task's binding (review BG: under its name alone, a reload renaming the scope
        // before the task's result lost its cost).
        TaskScope scope = exchange.route().route().taskScope();
        PricingTable.ResultCost early = services.budgets().deferred().taskCreated(scope, taskId, deferred);
        if (early != null) {
            services.budgets().settleDeferred(deferred, early.actual(deferred.charge().estimateMicros()));
            return;
        }
        SharedTaskStore shared = services.learnt().taskOrigins().sharedStore();
        if (shared == null) {
            return;
        }
        // Any replica may relay the task's result (review Z): it takes the cost from the store. Once the store has it, the
        // store's copy is the one: this replica's is dropped, so no replica charges it twice. A result another replica
        // relayed while this call's exchange was still open waits in the store instead: taken in the same step, settled here.
        CallCharge charge = deferred.charge();
        DeferredCosts local = services.budgets().deferred();
        shared.deferCost(scope, taskId, new DeferredTaskCost(charge.key().tenant(), charge.key().tree(), charge.route(), charge.tool(),
                charge.estimateMicros(), deferred.paidMicros())).onComplete(written -> {
                    if (written.failed()) {
                        LOG.warn("task {}: its deferred cost could not be shared ({}); only this replica can charge what its result reports",
                                taskId, written.cause().toString());
                        return;
                    }
                    DeferredCosts.Deferred mine = local.takeTask(scope, taskId);
                    EarlyTaskResult relayed = written.result();
                    if (relayed != null) {
                        if (mine != null) {
                            settleLate(mine, new PricingTable.ResultCost(relayed.reported(), relayed.micros()).actual(charge.estimateMicros()));
                        }
                    } else if (mine == null) {
                        // A result relayed here took this replica's copy while the store's was written: the store's goes too.
                        shared.takeDeferredCost(scope, taskId, null);
                    }
                });
    }

    /** Settles what the answers this exchange relayed report for calls paid earlier (its outcome was watched). */
    void answersRelayed(Exchange exchange) {
        ResponseOutcome outcome = exchange.outcome();
        PricingTable pricing = exchange.snapshot().config().budget().pricing();
        if (exchange.a2a() != null) {
            // A GetTask or CancelTask answer showing a task done settles the send that started it (review Z), its cost read
            // through the same 1.0-shaped pointers as a send's answer ({"task": ...}).
            // Only these: a send's own answer settled the send (a Caffeine write, or a Redis read, per send would be for nothing).
            // And a SubscribeToTask stream whose events showed the task done (its metadata folded over them, as the agent's store does).
            var call = exchange.a2a().call();
            boolean showsTask = call != null && (call.method() == dev.tollgate.protocols.a2a.A2aMethod.GET_TASK
                    || call.method() == dev.tollgate.protocols.a2a.A2aMethod.CANCEL_TASK);
            boolean subscribed = call != null && call.method() == dev.tollgate.protocols.a2a.A2aMethod.SUBSCRIBE_TO_TASK;
            JsonNode result = subscribed ? outcome.finishedTask()
                    : !showsTask || outcome.failed() ? null : A2aAnswerShape.current(outcome.result(), call.legacy());
            A2aTaskStates.Seen seen = A2aTaskStates.seen(result);
            if (seen != null && seen.terminal()) {
                JsonNode wrapped = result.has("task") ? result
                        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().set("task", result);
                taskResult(exchange, seen.taskId(), pricing, wrapped);
            }
            return;
        }
        String owner = CallerKey.of(exchange.identity());
        if (exchange.resumedCall() != null) {
            String requestId = exchange.resumedCall().requestId();
            JsonNode result = resultOf(outcome.responseTo(ResponseOutcome.keyOfJson(requestId)));
            if (result != null && !awaitsInput(result) && owner != null) {
                takeStreamAnswer(exchange, owner, requestId, awaited -> resumedAnswer(exchange, awaited, pricing, result));
            }
            return;
        }
        for (McpMessage message : exchange.messages()) {
            String taskId = DeferredCostWatchStage.taskResultOf(message);
            if (taskId == null) {
                continue;
            }
            McpMessage.OtherRequest request = (McpMessage.OtherRequest) message;
            JsonNode response = outcome.responseTo(ResponseOutcome.key(request.id().value()));
            if (response == null) {
                // Its stream ended before the answer (review Z): the answer may come on the stream the caller resumes.
                if (owner != null) {
                    streamLeftUnanswered(exchange, owner, request.id().toString(), DeferredCosts.StreamAnswer.ofTaskResult(taskId));
                }
                continue;
            }
            JsonNode result = resultOf(response);
            if (result != null && !awaitsInput(result)) {
                taskResult(exchange, taskId, pricing, result);
            }
        }
    }

    /** The upstream's answer to a request whose client hung up: read after the call paid its estimate, a late answer. */
    void abandonedAnswer(Exchange exchange, JsonNode id, JsonNode result) {
        String owner = CallerKey.of(exchange.identity());
        if (owner == null || id == null || !(id.isTextual() || id.isNumber())) {
            return;
        }
        PricingTable pricing = exchange.snapshot().config().budget().pricing();
        takeStreamAnswer(exchange, owner, id.toString(), awaited -> resumedAnswer(exchange, awaited, pricing, result));
    }

    /**
     * A request whose stream ended unanswered: kept here and, with a shared task store, there too for whichever replica
     * relays the resumed stream's answer (the client may resume through another). Once the store holds it, the store's
     * copy is the one: this replica's is dropped, or, when a resumed answer here took it meanwhile, the store's is.
     */
    private void streamLeftUnanswered(Exchange exchange, String owner, String requestId, DeferredCosts.StreamAnswer awaited) {
        DeferredCosts deferred = services.budgets().deferred();
        String session = exchange.upstreamSessionId();
        deferred.streamLeftUnanswered(owner, session, requestId, awaited);
        SharedTaskStore shared = services.learnt().taskOrigins().sharedStore();
        if (shared == null) {
            return;
        }
        TaskScope scope = exchange.route().route().taskScope();
        String stream = streamName(owner, session, requestId);
        DeferredStreamAnswer entry = shared(awaited);
        shared.deferStreamAnswer(scope, stream, entry).onComplete(written -> {
            if (written.failed()) {
                LOG.warn("request {}: its deferred cost could not be shared ({}); only this replica can charge its resumed answer",
                        requestId, written.cause().toString());
            } else if (!deferred.dropStreamAnswer(owner, session, requestId, awaited)) {
                shared.dropStreamAnswer(scope, stream, entry);
            }
        });
    }

    /** Takes what a request awaits on its resumed stream: this replica's entry, else the shared store's; null when none. */
    private void takeStreamAnswer(Exchange exchange, String owner, String requestId, Consumer<DeferredCosts.StreamAnswer> settle) {
        String session = exchange.upstreamSessionId();
        DeferredCosts.StreamAnswer local = services.budgets().deferred().takeStreamAnswer(owner, session, requestId);
        SharedTaskStore shared = services.learnt().taskOrigins().sharedStore();
        if (local != null || shared == null) {
            settle.accept(local);
            return;
        }
        shared.takeStreamAnswer(exchange.route().route().taskScope(), streamName(owner, session, requestId)).onComplete(taken -> {
            if (taken.failed()) {
                LOG.warn("request {}: its deferred cost could not be read from the shared store ({}): what its answer reports beyond"
                        + " its estimate is not charged", requestId, taken.cause().toString());
            } else if (taken.result() != null) {
                settle.accept(local(taken.result()));
            }
        });
    }

    /** A request of a caller's session, length-prefixed so no caller, session and id spell another's. */
    private static String streamName(String owner, String session, String requestId) {
        String s = session == null ? "" : session;
        return owner.length() + ":" + owner + ":" + s.length() + ":" + s + ":" + requestId;
    }

    private static DeferredStreamAnswer shared(DeferredCosts.StreamAnswer awaited) {
        String nonce = java.util.UUID.randomUUID().toString();
        if (awaited.taskId() != null) {
            return new DeferredStreamAnswer(null, awaited.taskId(), nonce);
        }
        CallCharge charge = awaited.charge().charge();
        return new DeferredStreamAnswer(new DeferredTaskCost(charge.key().tenant(), charge.key().tree(), charge.route(), charge.tool(),
                charge.estimateMicros(), awaited.charge().paidMicros()), null, nonce);
    }

    private DeferredCosts.StreamAnswer local(DeferredStreamAnswer stored) {
        if (stored.charge() == null) {
            return stored.taskId() == null ? null : DeferredCosts.StreamAnswer.ofTaskResult(stored.taskId());
        }
        DeferredTaskCost cost = stored.charge();
        return DeferredCosts.StreamAnswer.ofCharge(services.budgets().deferredFor(new SpendKey(cost.tenant(), cost.tree()), cost.route(),
                cost.tool(), cost.estimateMicros(), cost.paidMicros()));
    }

    /** The answer a resumed stream relayed to the request it was sealed with: a call's late answer or a task's result. */
    private void resumedAnswer(Exchange exchange, DeferredCosts.StreamAnswer awaited, PricingTable pricing, JsonNode result) {
        if (awaited == null) {
            return;
        }
        TaskScope scope = exchange.route().route().taskScope();
        if (awaited.taskId() != null) {
            taskResult(exchange, awaited.taskId(), pricing, result);
            // The result was given: the task ended (review Z: it kept its caller's slot for its ttl).
            services.concurrentCalls().runningTasks().ended(scope, awaited.taskId());
            return;
        }
        DeferredCosts.Deferred call = awaited.charge();
        long actual = pricing.actualMicros(call.charge().route(), call.charge().estimateMicros(), result);
        settleLate(call, actual);
        if (createsTask(result)) {
            // The late answer is a task (review Z: the task it created was never charged its result): its result pays the rest.
            taskCreated(exchange, result.path("task").get("taskId").textValue(),
                    new DeferredCosts.Deferred(call.charge(), Math.max(call.paidMicros(), actual)));
        }
    }

    /**
     * Settles a task's deferred cost from its result. With a shared store, this replica's copy when it still has one (the
     * creating call's write to the store not done, or failed), else the store's (one replica gets it). A result no call
     * awaits yet is kept a while for the one that may (its exchange still open): in the store, in the same atomic step
     * that found no cost there, so the creating call takes it whichever replica it ends on.
     */
    private void taskResult(Exchange exchange, String taskId, PricingTable pricing, JsonNode result) {
        TaskScope scope = exchange.route().route().taskScope();
        DeferredCosts deferred = services.budgets().deferred();
        // Priced under the route that created the task when it is known (review AD: two routes to one server with other
        // token prices let the result be priced under the cheaper one by fetching it there); under this one for a result
        // that comes before its creating call ended.
        PricingTable.ResultCost cost = pricing.resultCost(exchange.route().route().name(), result);
        SharedTaskStore shared = services.learnt().taskOrigins().sharedStore();
        DeferredCosts.Deferred local = deferred.takeTask(scope, taskId);
        if (local != null) {
            // The creating call's copy is here (with a shared store: its write to the store is on its way, or failed): settled
            // from it, and the store's copy, if it landed, taken so that no later result charges the task again.
            settleLate(local, pricing.resultCost(local.charge().route(), result).actual(local.charge().estimateMicros()));
            if (shared != null) {
                shared.takeDeferredCost(scope, taskId, null);
            }
            return;
        }
        if (shared == null) {
            deferred.taskResultFirst(scope, taskId, cost);
            return;
        }
        shared.takeDeferredCost(scope, taskId, new EarlyTaskResult(cost.reported(), cost.micros())).onComplete(taken -> {
            if (taken.failed()) {
                LOG.warn("task {}: its deferred cost could not be read from the shared store ({}): what its result reports beyond its"
                        + " estimate is charged only if its creating call ends on this replica", taskId, taken.cause().toString());
                deferred.taskResultFirst(scope, taskId, cost);
            } else if (taken.result() != null) {
                DeferredTaskCost stored = taken.result();
                settleLate(services.budgets().deferredFor(new SpendKey(stored.tenant(), stored.tree()), stored.route(), stored.tool(),
                        stored.estimateMicros(), stored.paidMicros()), pricing.resultCost(stored.route(), result).actual(stored.estimateMicros()));
            }
            // Else the store keeps the result for the creating call, on whichever replica its exchange ends.
        });
    }

    private void settleLate(DeferredCosts.Deferred call, long actualMicros) {
        services.budgets().settleDeferred(call, actualMicros);
    }

    /** A response's result; null for an error response or none. */
    private static JsonNode resultOf(JsonNode response) {
        return response == null || response.has("error") ? null : response.get("result");
    }

    private static boolean awaitsInput(JsonNode result) {
        return result != null && "input_required".equals(result.path("resultType").asText(null));
    }
}
