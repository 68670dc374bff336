package dev.tollgate.gateway.pipeline;

import io.vertx.core.Future;

/**
 * The shared task store writes made while one answer, or one event of a stream, was decided (the task or context it
 * creates): the answer is relayed once they have landed, and withheld when one has not, since the id it hands out
 * would be nobody's on the other replicas. Confined to the call's event loop.
 */
final class PendingBindings {

    private Future<Void> pending;

    void add(Future<Void> write) {
        if (write.succeeded()) {
            return; // nothing new was bound, or no shared store: nothing to wait for
        }
        pending = pending == null ? write : Future.all(pending, write).mapEmpty();
    }

    /** The writes added since the last take: completes when all have landed, fails when one did not; at once when none. */
    Future<Void> take() {
        Future<Void> taken = pending;
        pending = null;
        return taken == null ? Future.succeededFuture() : taken;
    }
}
