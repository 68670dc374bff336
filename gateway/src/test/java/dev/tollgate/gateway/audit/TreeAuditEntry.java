package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import java.io.IOException;

/** A test's audit record given as a tree: its fields written as they are, in their order. */
record TreeAuditEntry(ObjectNode tree) implements AuditEntry {

    /** A writer's setting for records that carry no call arguments: nothing to redact or digest. */
    static final AuditWriting WRITING = new AuditWriting(AuditConfig.ArgumentsMode.DIGEST, new InstantText());

    /** The tree sealed into its line, as the writer thread seals records. */
    static AuditLine seal(ObjectNode tree, long seq, String prev) throws IOException {
        return AuditLine.seal(new TreeAuditEntry(tree), seq, prev, WRITING);
    }

    @Override
    public String method() {
        return tree.path("method").asText("?");
    }

    @Override
    public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
        for (var field : tree.properties()) {
            json.writeFieldName(field.getKey());
            json.writeTree(field.getValue());
        }
    }
}
