package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.budget.DeferredCosts;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.tasks.EarlyTaskResult;
import dev.tollgate.gateway.tasks.SharedTaskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A multi-turn A2A task finished by a send that continued it ({@code message.taskId}) (review AD): that send is charged
 * what the finished task reports, as any send answered with a finished task is, so the send that started the task (paid
 * its estimate, deferred by {@link LateCosts#a2aTaskStarted}) must not be settled at that report too. Its deferral is
 * taken here and closed at what it paid, locally and in the shared store; a later GetTask, CancelTask or SubscribeToTask
 * then finds nothing to settle.
 *
 * <p>Why the finishing send pays the report rather than the deferred one: each send is then charged once, when it ends
 * (the first its price, the finishing one the reported cost), with no later top-up to explain, and a continued task is
 * charged as a one-turn task is. A reported cost is not split across the sends.
 */
final class A2aContinuedTaskCosts {

    private static final Logger LOG = LoggerFactory.getLogger(A2aContinuedTaskCosts.class);

    /**
     * Left for a starting send whose deferral is not written yet (its exchange still open): the task's report was paid by
     * the send that finished it, so the starting send settles at 0, i.e. at what it paid (the ledger only adds).
     */
    static final PricingTable.ResultCost PAID_BY_FINISHING_SEND = new PricingTable.ResultCost(true, 0);

    private final GatewayServices services;

    A2aContinuedTaskCosts(GatewayServices services) {
        this.services = services;
    }

    /** A priced send continuing {@code taskId}, answered (or streamed) with that task finished, was charged its report. */
    void finishedBySend(Exchange exchange, String taskId) {
        // Under every key of the scope, where the starting send filed it (review BG).
        TaskScope scope = exchange.route().route().taskScope();
        DeferredCosts deferred = services.budgets().deferred();
        // Closed at what it paid: nothing to write (settleDeferred charges only beyond it), taking it is the settlement.
        DeferredCosts.Deferred mine = deferred.takeTask(scope, taskId);
        SharedTaskStore shared = services.learnt().taskOrigins().sharedStore();
        if (shared == null) {
            if (mine == null) {
                deferred.taskResultFirst(scope, taskId, PAID_BY_FINISHING_SEND);
            }
            return;
        }
        if (mine != null) {
            // The starting send's write to the store may have landed (or be on its way: it then takes the store's copy
            // itself when it finds its own gone, LateCosts.taskCreated).
            shared.takeDeferredCost(scope, taskId, null);
            return;
        }
        EarlyTaskResult paid = new EarlyTaskResult(PAID_BY_FINISHING_SEND.reported(), PAID_BY_FINISHING_SEND.micros());
        shared.takeDeferredCost(scope, taskId, paid).onComplete(taken -> {
            if (taken.failed()) {
                LOG.warn("task {}: the deferred cost of the send that started it could not be taken from the shared store ({}):"
                        + " a later GetTask may charge its reported cost again", taskId, taken.cause().toString());
            }
            // Taken (closed at what it paid), or none: the store keeps the marker for a starting send still to defer.
        });
    }
}
