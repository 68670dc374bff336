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
 * Review CJ (low: a caller's secret in clear in the audit record): the {@code ambiguous_argument_name} denial names the
 * argument by its JSON pointer, the key verbatim, in the decision's message, which the audit record writes as
 * {@code decision.reason}. Names in the reason are rewritten as markers only for the call's tool/resource/prompt
 * ({@code WrittenNames.quoting}); an argument key is not read by any detector there. A key holding a credential (review
 * BY made the same promise for keys in result findings: digests only, never the match) is written in clear when the call
 * spells it twice: {@code {"akiaiosfodnn7example": .., "AKIAIOSFODNN7EXAMPLE": ..}}. Nothing else of the arguments is
 * written (the record holds their digest).
 */
class AmbiguousNameSecretInAuditReviewCJTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    @Test
    void anArgumentKeyHoldingASecretIsNotWrittenInTheDenialsReason() throws Exception {
        rig = ScriptedMcpGateway.start(dir, """
                name: p
                defaults: {action: allow}
                rules: []
                """, "audit: {directory: " + dir.resolve("audit") + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}");

        TestHttp.Reply reply = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"keys\",\"arguments\":{\""
                + AWS_KEY.toLowerCase(java.util.Locale.ROOT) + "\":\"old\",\"" + AWS_KEY + "\":\"new\"}}}");

        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("ambiguous_argument_name");
        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> r.path("decision").has("reason"));
        assertThat(record).isNotNull();
        assertThat(Files.readString(AuditFiles.file(dir.resolve("audit"), 1), StandardCharsets.UTF_8)).doesNotContain(AWS_KEY);
    }
}
