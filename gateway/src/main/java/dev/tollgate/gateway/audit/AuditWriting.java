package dev.tollgate.gateway.audit;

import dev.tollgate.gateway.config.AuditConfig;

/**
 * What the writer thread brings to each record it writes: whether arguments are kept, digested or left out (each
 * record carries the redaction of the configuration it was decided under), and its own formatter of times (see
 * {@link InstantText}) and JSON output for the lines and for the arguments' digest (see {@link JsonScratch}), and the
 * operator's key the lines are sealed with (null: a plain SHA-256 chain). Used by one thread at a time.
 */
public record AuditWriting(AuditConfig.ArgumentsMode arguments, InstantText times, JsonScratch lines, JsonScratch digests, AuditKey key) {

    public AuditWriting(AuditConfig.ArgumentsMode arguments, InstantText times) {
        this(arguments, times, null);
    }

    public AuditWriting(AuditConfig.ArgumentsMode arguments, InstantText times, AuditKey key) {
        this(arguments, times, AuditLine.scratch(), AuditRecords.digestScratch(), key);
    }

    /** The seal of a line's content: HMAC-SHA256 under the key when there is one, else SHA-256. */
    String seal(byte[] content) {
        return key != null ? key.seal(content) : AuditChain.sha256(content);
    }
}
