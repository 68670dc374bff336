package dev.tollgate.gateway.audit;

/**
 * Holds a running gateway's audit writer for tests outside this package: records stay queued until the handle is
 * closed, as they do when the disk is slower than the calls, so a test can fill the queue for certain.
 */
public final class AuditWriterHold {

    private AuditWriterHold() {
    }

    public static AutoCloseable hold(AuditLog log) {
        return log.holdWriter();
    }
}
