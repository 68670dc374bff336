package dev.tollgate.gateway.tasks;

/**
 * What a task's result reported, relayed before the call that created the task had deferred its cost (its exchange still
 * open, on another replica): kept a while for that call to settle with (see {@code PricingTable.ResultCost}).
 *
 * @param reported whether the result reported its cost ({@code micros} is it), else {@code micros} is its priced usage
 */
public record EarlyTaskResult(boolean reported, long micros) {
}
