package dev.tollgate.gateway.config;

import java.nio.file.Path;

/**
 * The audit log: one hash-chained JSON line per decision, written off the event loop.
 *
 * @param directory     where the {@code audit-NNNNNN.jsonl} files go; null disables the audit log
 * @param maxFileBytes  a file is closed and the next one started past this size (the chain continues)
 * @param queueCapacity records waiting for the writer thread; see {@link WhenFull}
 * @param arguments     what of the call's arguments a record keeps
 * @param keyFile       the operator's key the lines are sealed with (HMAC-SHA256), or null for a plain SHA-256 chain
 * @param digestKeyFile the operator's key findings' digests are derived from ({@code audit.digest-key-file}), or null:
 *                      then {@code keyFile}'s, or without it a random key per start
 */
public record AuditConfig(Path directory, long maxFileBytes, int queueCapacity, WhenFull whenFull, ArgumentsMode arguments, Path keyFile,
                          Path digestKeyFile) {

    public AuditConfig(Path directory, long maxFileBytes, int queueCapacity, WhenFull whenFull, ArgumentsMode arguments, Path keyFile) {
        this(directory, maxFileBytes, queueCapacity, whenFull, arguments, keyFile, null);
    }

    /** The file findings' digest key is derived from: {@code digest-key-file}, else {@code key-file}; null when neither is set. */
    public Path findingDigestKeyFile() {
        return digestKeyFile != null ? digestKeyFile : keyFile;
    }

    public AuditConfig(Path directory, long maxFileBytes, int queueCapacity, WhenFull whenFull, ArgumentsMode arguments) {
        this(directory, maxFileBytes, queueCapacity, whenFull, arguments, null);
    }

    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final AuditConfig DISABLED = new AuditConfig(null, DEFAULT_MAX_FILE_BYTES, DEFAULT_QUEUE_CAPACITY, WhenFull.REJECT, ArgumentsMode.DIGEST);

    /** What happens to new calls when the writer falls behind and the queue is full. */
    public enum WhenFull {
        /** New calls get 503 audit_unavailable until the queue drains: no decision goes unrecorded (fail closed). */
        REJECT,
        /** Calls proceed; the records that do not fit are dropped and counted. */
        DROP
    }

    /** How arguments are kept: {@code full} (redacted) is needed for {@code tollgate replay}. */
    public enum ArgumentsMode { NONE, DIGEST, FULL }

    public boolean enabled() {
        return directory != null;
    }
}
