package dev.tollgate.gateway.audit;

import dev.tollgate.gateway.config.AuditConfig;

/**
 * What the writer thread brings to each record it writes: whether arguments are kept, digested or left out (each
 * record carries the redaction of the configuration it was decided under), and its own formatter of times (see
 * {@link InstantText}) and JSON output for the lines and for the arguments' digest (see {@link JsonScratch}). Used by
 * one thread at a time.
 */
public record AuditWriting(AuditConfig.ArgumentsMode arguments, InstantText times, JsonScratch lines, JsonScratch digests) {

    public AuditWriting(AuditConfig.ArgumentsMode arguments, InstantText times) {
        this(arguments, times, AuditLine.scratch(), AuditRecords.digestScratch());
    }
}
