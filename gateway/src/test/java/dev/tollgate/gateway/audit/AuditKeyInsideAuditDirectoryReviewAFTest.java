package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AF (7989d6f): {@code audit.key-file} exists so that whoever can rewrite the audit files cannot seal them again
 * (review AC's insider). The key is accepted anywhere, the audit directory included ({@code key-file: audit/audit.key},
 * the natural place on a volume mounted for the audit log): then the insider who can write the files reads the key
 * beside them, reseals the edited log with it, and {@code audit verify --key} says every record is sealed with the key.
 * A key inside (or equal to) the audit directory defeats the feature and should be refused at load, like a short key.
 */
class AuditKeyInsideAuditDirectoryReviewAFTest {

    @TempDir
    Path dir;

    @Test
    void aKeyFileInsideTheAuditDirectoryIsRefusedAtLoad() throws Exception {
        Files.createDirectories(dir.resolve("audit"));
        Files.writeString(dir.resolve("audit/audit.key"), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
        String yaml = """
                listeners:
                  - {name: public, host: 127.0.0.1, port: 8080}
                routes:
                  - {name: tools, path: /mcp/, protocol: mcp, upstream: "http://127.0.0.1:3001/mcp"}
                audit: {directory: audit, key-file: audit/audit.key}
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "g.yaml", Map.of(), dir))
                .as("a key kept with the files it is to protect from rewriting")
                .isInstanceOf(ConfigException.class);
    }
}
