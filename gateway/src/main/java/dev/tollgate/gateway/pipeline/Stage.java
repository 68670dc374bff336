package dev.tollgate.gateway.pipeline;

import io.vertx.core.Future;

/**
 * One step of the request pipeline. A stage either lets the call go on ({@link StageResult#CONTINUE}) or
 * answers the client itself ({@link StageResult#RESPONDED}). It never throws to signal a decision and
 * never blocks the event loop: I/O is asynchronous and the returned future completes when it is done.
 *
 * <p>Good: a synchronous check returns {@link StageResult#proceed()} or answers through
 * {@code ErrorResponder} and returns {@link StageResult#responded()}. Bad: calling {@code .await()}
 * or a blocking client inside {@code apply}; starting timers or spans by hand (the pipeline wraps
 * stages for that).
 */
public interface Stage {

    /** Short stable name, used in logs and per-stage metrics. */
    String name();

    Future<StageResult> apply(Exchange exchange);
}
