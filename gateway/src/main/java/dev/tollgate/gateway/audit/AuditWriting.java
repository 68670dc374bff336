package dev.tollgate.gateway.audit;

import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;

/**
 * What the writer thread brings to each record it writes: whether arguments are kept, digested or left out, the
 * redaction applied before either, and its own formatter of times (see {@link InstantText}) and JSON output for the
 * lines and for the arguments' digest (see {@link JsonScratch}). Used by one thread at a time.
 */
public record AuditWriting(AuditConfig.ArgumentsMode arguments, ArgumentRedactor redactor, InstantText times, JsonScratch lines,
                           JsonScratch digests) {

    public AuditWriting(AuditConfig.ArgumentsMode arguments, ArgumentRedactor redactor, InstantText times) {
        this(arguments, redactor, times, AuditLine.scratch(), AuditRecords.digestScratch());
    }
}
