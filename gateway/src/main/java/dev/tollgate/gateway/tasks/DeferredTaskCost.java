package dev.tollgate.gateway.tasks;

/**
 * A task-augmented call's charge as replicas share it until the task's result settles it: the tree it was charged to,
 * the route and tool it was priced by, the price it was held at and what it paid (see
 * {@link dev.tollgate.gateway.budget.DeferredCosts}).
 */
public record DeferredTaskCost(String tenant, String tree, String route, String tool, long estimateMicros, long paidMicros) {
}
