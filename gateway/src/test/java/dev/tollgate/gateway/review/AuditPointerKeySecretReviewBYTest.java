package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import dev.tollgate.gateway.support.TestHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BY, finding 6: a result finding is audited as {detector, kind, pointer, digest}, "never the match" (README,
 * Recorded; AuditRecords: "the record must not become the leak it reports"). Object keys are read like values, and a
 * finding in a key has the key itself as the last token of its JSON pointer: a secret sent as a key name (here of
 * structuredContent) is denied to the client, and written in clear into the audit record's
 * {@code result.findings[].pointer}. So is any secret in a key above a finding in a value.
 */
class AuditPointerKeySecretReviewBYTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    @Test
    void aSecretInAKeyNameIsNotWrittenToTheAuditRecord() throws Exception {
        rig = ScriptedMcpGateway.start(dir, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-leaked-secrets
                    condition: {all: [{direction: result}, {check: {name: secrets}}]}
                    action: redact
                """, "audit: {directory: " + dir.resolve("audit") + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}],"
                + "\"structuredContent\":{\"" + AWS_KEY + "\":\"active\"}}}");

        TestHttp.Reply reply = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"keys\",\"arguments\":{}}}");

        // The client is refused the result (a finding in a key cannot be redacted in place): nothing leaks there.
        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("result_denied");
        assertThat(reply.body().toString()).doesNotContain(AWS_KEY);
        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> r.has("result"));
        assertThat(record).isNotNull();
        assertThat(record.path("result").path("findings")).as(record.toString()).isNotEmpty();
        // The audit record, which promises digests only, holds the key.
        assertThat(Files.readString(AuditFiles.file(dir.resolve("audit"), 1), StandardCharsets.UTF_8)).doesNotContain(AWS_KEY);
    }

    /** A listed tool named with the key: withheld from the list, and recorded in the audit by name ({@code result.withheld}; the span tollgate.result.withheld too, README). */
    @Test
    void aSecretInAWithheldToolsNameIsNotWrittenToTheAuditRecord() throws Exception {
        rig = ScriptedMcpGateway.start(dir, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-leaked-secrets
                    condition: {all: [{direction: result}, {check: {name: secrets}}]}
                    action: deny
                """, "audit: {directory: " + dir.resolve("audit") + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"tools\":[{\"name\":\"" + AWS_KEY
                + "\",\"description\":\"x\",\"inputSchema\":{\"type\":\"object\"}}]}}");

        TestHttp.Reply reply = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}");

        assertThat(reply.body().toString()).doesNotContain(AWS_KEY);
        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> r.has("result"));
        assertThat(record).isNotNull();
        assertThat(Files.readString(AuditFiles.file(dir.resolve("audit"), 1), StandardCharsets.UTF_8)).doesNotContain(AWS_KEY);
    }
}
