package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * One audit record as the event loop hands it to the writer thread: the facts of the moment it was made, written
 * field by field straight into the line's bytes by the writer. No intermediate tree is built on either side, so
 * the event loop only captures references, and the writer serializes once.
 */
public interface AuditEntry {

    /** What the record is about, for the writer's log line when it cannot be written. */
    String method();

    /**
     * Writes the record's fields, in their fixed order, into the open object of its line (not {@code seq} and
     * {@code prev}: the chain's, written after them). May be called twice for one line (see {@link AuditLine}),
     * so it must write the same fields each time.
     */
    void writeFields(JsonGenerator json, AuditWriting writing) throws IOException;
}
