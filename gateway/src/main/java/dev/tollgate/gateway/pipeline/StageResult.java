package dev.tollgate.gateway.pipeline;

import io.vertx.core.Future;

/** What a stage did: let the next stage run, or answer the client itself (which ends the pipeline). */
public enum StageResult {
    CONTINUE,
    RESPONDED;

    private static final Future<StageResult> CONTINUE_NOW = Future.succeededFuture(CONTINUE);
    private static final Future<StageResult> RESPONDED_NOW = Future.succeededFuture(RESPONDED);

    /** A completed future, shared: synchronous stages allocate nothing to say "go on". */
    public static Future<StageResult> proceed() {
        return CONTINUE_NOW;
    }

    public static Future<StageResult> responded() {
        return RESPONDED_NOW;
    }
}
