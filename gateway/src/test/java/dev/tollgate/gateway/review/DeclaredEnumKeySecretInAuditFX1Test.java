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
 * Fix FX1 (review CJ finding 7, the enum half): the {@code argument_outside_declared_enum} denial names the argument by its
 * JSON pointer; under a map of enums ({@code additionalProperties}) the pointer's last segment is a key the caller chose,
 * which may hold a credential. It is written as the policy's detectors write a name, never in clear.
 */
class DeclaredEnumKeySecretInAuditFX1Test {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    @Test
    void aMapKeyHoldingASecretIsNotWrittenInTheDenialsReason() throws Exception {
        rig = ScriptedMcpGateway.start(dir, """
                name: p
                defaults: {action: allow}
                rules: []
                """, "audit: {directory: " + dir.resolve("audit") + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"tools\":[{\"name\":\"keys\",\"inputSchema\":{\"type\":\"object\","
                + "\"properties\":{\"modes\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\",\"enum\":[\"SAFE\"]}}}}}]}}");
        TestHttp.Reply listed = rig.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(listed.body().toString()).contains("keys");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}");

        TestHttp.Reply reply = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"keys\",\"arguments\":"
                + "{\"modes\":{\"" + AWS_KEY + "\":\"DESTROY\"}}}}");

        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("argument_outside_declared_enum");
        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> r.path("decision").has("reason"));
        assertThat(record).isNotNull();
        assertThat(record.path("decision").path("reason").asText()).contains("/modes/");
        assertThat(Files.readString(AuditFiles.file(dir.resolve("audit"), 1), StandardCharsets.UTF_8)).doesNotContain(AWS_KEY);
    }
}
