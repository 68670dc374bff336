package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finding's digest in the audit record is keyed by {@code audit.key-file} (review BY: a plain SHA-256 of a card number
 * gave it back): two gateways with the same key file record the same digest for the same secret (replicas' records
 * correlate), and {@code tollgate audit digest --key} gives its holder that digest of a value they know.
 */
class FindingDigestKeyThroughGatewayTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-leaked-secrets
                condition: {all: [{direction: result}, {check: {name: secrets}}]}
                action: redact
            """;

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    @AfterEach
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    private String recordedDigest(Path runDir, Path key) throws Exception {
        Files.createDirectories(runDir);
        rig = ScriptedMcpGateway.start(runDir, POLICY, "audit: {directory: " + runDir.resolve("audit") + ", key-file: " + key + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"key " + AWS_KEY + "\"}]}}");
        rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"keys\",\"arguments\":{}}}");
        JsonNode record = AuditLines.awaitFirst(runDir.resolve("audit"), r -> r.has("result"));
        rig.close();
        rig = null;
        assertThat(record).isNotNull();
        return record.path("result").path("findings").get(0).path("digest").asText();
    }

    private static String digestByCli(Path key, String value) {
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream((value + "\n").getBytes(StandardCharsets.UTF_8)));
            Cli.Result result = Cli.run("audit", "digest", "--key", key.toString());
            assertThat(result.exit()).as(result.err()).isZero();
            return result.out().strip();
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void gatewaysWithOneKeyFileRecordOneDigestWhichTheKeysHolderCanCompute() throws Exception {
        Path key = dir.resolve("audit.key");
        Files.writeString(key, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Path otherKey = dir.resolve("other.key");
        Files.writeString(otherKey, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n");

        String first = recordedDigest(dir.resolve("one"), key);
        String second = recordedDigest(dir.resolve("two"), key);
        String underAnotherKey = recordedDigest(dir.resolve("three"), otherKey);

        assertThat(first).startsWith("hmac-sha256:").isEqualTo(second).isNotEqualTo(underAnotherKey);
        assertThat(digestByCli(key, AWS_KEY)).isEqualTo(first);
        assertThat(digestByCli(otherKey, AWS_KEY)).isEqualTo(underAnotherKey);
        assertThat(Files.readString(AuditFiles.file(dir.resolve("one").resolve("audit"), 1), StandardCharsets.UTF_8)).doesNotContain(AWS_KEY);
    }
}
