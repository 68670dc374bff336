package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finding's digest in the audit record is keyed by {@code audit.key-file} (review BY: a plain SHA-256 of a card number
 * gave it back): two gateways with the same key file record the same digest for the same secret (replicas' records
 * correlate), and {@code tollgate audit digest --key} gives its holder that digest of a value they know; with
 * {@code audit.digest-key-file}, digests are keyed by it instead.
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
        return recordedDigest(runDir, "key-file: " + key);
    }

    private String recordedDigest(Path runDir, String keys) throws Exception {
        Files.createDirectories(runDir);
        rig = ScriptedMcpGateway.start(runDir, POLICY, "audit: {directory: " + runDir.resolve("audit") + ", " + keys + "}");
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

    /** With audit.digest-key-file, digests follow it, not key-file: they stay comparable across a rotation of the seal key. */
    @Test
    void aDigestKeyFileKeepsDigestsAcrossARotationOfTheSealKey() throws Exception {
        Path digestKey = dir.resolve("digest.key");
        Files.writeString(digestKey, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        Path sealKey = dir.resolve("audit-2025.key");
        Files.writeString(sealKey, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Path rotated = dir.resolve("audit-2026.key");
        Files.writeString(rotated, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n");

        String before = recordedDigest(dir.resolve("one"), "key-file: " + sealKey + ", digest-key-file: " + digestKey);
        String after = recordedDigest(dir.resolve("two"), "key-file: " + rotated + ", digest-key-file: " + digestKey);

        assertThat(before).isEqualTo(after).isEqualTo(digestByCli(digestKey, AWS_KEY)).isNotEqualTo(digestByCli(sealKey, AWS_KEY));
    }

    @Test
    void aDigestKeyFileInsideTheAuditDirectoryOrTooShortIsRefusedAtLoad() throws Exception {
        Files.createDirectories(dir.resolve("audit"));
        Files.writeString(dir.resolve("audit").resolve("digest.key"), "a".repeat(32));
        Files.writeString(dir.resolve("short.key"), "too-short\n");
        String yaml = """
                listeners:
                  - {name: public, host: 127.0.0.1, port: 8080}
                routes:
                  - {name: tools, path: /mcp/, protocol: mcp, upstream: "http://127.0.0.1:3001/mcp"}
                audit: {directory: audit, digest-key-file: %s}
                """;
        for (String file : new String[] {"audit/digest.key", "short.key"}) {
            assertThatThrownBy(() -> ConfigLoader.parse(yaml.formatted(file), "g.yaml", Map.of(), dir))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p.field()).isEqualTo("audit.digest-key-file")));
        }
        Files.writeString(dir.resolve("digest.key"), "b".repeat(32));
        assertThat(ConfigLoader.parse(yaml.formatted("digest.key"), "g.yaml", Map.of(), dir).audit().findingDigestKeyFile())
                .isEqualTo(dir.resolve("digest.key"));
    }
}
