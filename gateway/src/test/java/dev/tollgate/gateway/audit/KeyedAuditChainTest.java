package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.support.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit.key-file}: lines sealed with HMAC-SHA256 under the operator's key, checked by {@code audit verify --key}.
 * The attack is review AC's: whoever can write the files turns a deny into an allow and seals that record and every one
 * after it again with plain SHA-256, keeping the seq numbering, so a plain chain and {@code --expect-seq} say intact.
 */
class KeyedAuditChainTest {

    private static final String HASH_FIELD = ",\"hash\":\"";

    @TempDir
    Path dir;
    private Path log;
    private Path key;

    private record Entry(int n, String action) implements AuditEntry {
        @Override
        public String method() {
            return "tools/call";
        }

        @Override
        public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
            json.writeStringField("route", "r");
            json.writeStringField("method", "tools/call");
            json.writeStringField("tool", n == 2 ? "delete_database" : "search");
            json.writeObjectFieldStart("decision");
            json.writeStringField("action", action);
            json.writeBooleanField("enforced", action.equals("deny"));
            json.writeEndObject();
        }
    }

    @BeforeEach
    void paths() throws IOException {
        log = dir.resolve("audit");
        key = dir.resolve("audit.key");
        Files.writeString(key, "9f2c51d0a7b64e83c1f0d2a9b8e7c6d5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9\n");
    }

    private long write(Path keyFile, int from, int to) {
        try (AuditLog audit = AuditLog.open(new AuditConfig(log, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST, keyFile))) {
            for (int i = from; i <= to; i++) {
                audit.offer(new Entry(i, i == 2 ? "deny" : "allow"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> audit.written() == to - from + 1);
            return audit.lastWrittenSeq();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKeyedLogVerifiesWithItsKeyAndOnlyWithIt() throws Exception {
        long lastSeq = write(key, 1, 5);

        Cli.Result keyed = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", Long.toString(lastSeq), log.toString());
        assertThat(keyed.exit()).as(keyed.out() + keyed.err()).isZero();
        assertThat(keyed.out()).contains("OK: 5 record(s), seq 1..5, chain intact, every record sealed with the key");

        Cli.Result plain = Cli.run("audit", "verify", log.toString());
        assertThat(plain.exit()).isEqualTo(1);
        assertThat(plain.err()).contains("verify with --key");

        Path other = dir.resolve("other.key");
        Files.writeString(other, "0".repeat(64));
        Cli.Result wrong = Cli.run("audit", "verify", "--key", other.toString(), log.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains(AuditVerifier.EDITED_UNDER_KEY);
    }

    @Test
    void aDenyTurnedIntoAnAllowAndSealedAgainWithoutTheKeyFailsVerification() throws Exception {
        long lastSeq = write(key, 1, 5);

        reseal(AuditFiles.file(log, 1), 1);

        Cli.Result verified = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", Long.toString(lastSeq), log.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isEqualTo(1);
        assertThat(verified.err()).contains(":2: " + AuditVerifier.UNKEYED_AFTER_KEYED);
    }

    @Test
    void aLogSealedAgainFromItsFirstRecordWithoutTheKeyFailsVerification() throws Exception {
        long lastSeq = write(key, 1, 5);

        reseal(AuditFiles.file(log, 1), 0);

        Cli.Result verified = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", Long.toString(lastSeq), log.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isEqualTo(1);
        assertThat(verified.err()).contains(AuditVerifier.NOTHING_KEYED);
        // Without the key the rewrite is a well-formed plain chain: only --key tells it (README).
        assertThat(Cli.run("audit", "verify", "--expect-seq", Long.toString(lastSeq), log.toString()).exit()).isZero();
    }

    @Test
    void aLogKeyedFromARestartOnVerifiesAndAnEditBeforeTheKeyIsStillCaught() throws Exception {
        write(null, 1, 3);
        long lastSeq = write(key, 4, 6);

        Cli.Result verified = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", Long.toString(lastSeq), log.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("sealed with the key from record 4 on (the 3 before it were written before a key was set)");

        // The deny (record 2, written before the key) rewritten and records 2 and 3 sealed again: record 4, keyed, names
        // the old hash of record 3, and nobody without the key can seal it again.
        List<String> lines = Files.readAllLines(AuditFiles.file(log, 1), StandardCharsets.UTF_8);
        List<String> forged = resealed(lines.subList(0, 3), 1);
        forged.addAll(lines.subList(3, lines.size()));
        Files.write(AuditFiles.file(log, 1), forged, StandardCharsets.UTF_8);

        Cli.Result edited = Cli.run("audit", "verify", "--key", key.toString(), log.toString());
        assertThat(edited.exit()).isEqualTo(1);
        assertThat(edited.err()).contains(":4: prev does not name the previous record's hash");
    }

    @Test
    void aKeyRotatedAtARestartVerifiesWithBothKeysOldestFirst() throws Exception {
        Path rotated = dir.resolve("audit-2.key");
        Files.writeString(rotated, "1b7e0c2f9a8d4e6b3c5a7f9e1d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6d8c\n");
        write(key, 1, 3);
        long lastSeq = write(rotated, 4, 6);

        Cli.Result both = Cli.run("audit", "verify", "--key", key.toString(), "--key", rotated.toString(), "--expect-seq",
                Long.toString(lastSeq), log.toString());
        assertThat(both.exit()).as(both.out() + both.err()).isZero();
        assertThat(both.out()).contains("OK: 6 record(s), seq 1..6, chain intact, every record sealed with the keys, oldest first,");

        Cli.Result newOnly = Cli.run("audit", "verify", "--key", rotated.toString(), log.toString());
        assertThat(newOnly.exit()).isEqualTo(1);
        assertThat(newOnly.err()).contains(":1: " + AuditVerifier.EDITED_UNDER_KEY);
        Cli.Result oldOnly = Cli.run("audit", "verify", "--key", key.toString(), log.toString());
        assertThat(oldOnly.exit()).isEqualTo(1);
        assertThat(oldOnly.err()).contains(":4: " + AuditVerifier.EDITED_UNDER_KEY);
        Cli.Result reversed = Cli.run("audit", "verify", "--key", rotated.toString(), "--key", key.toString(), log.toString());
        assertThat(reversed.exit()).isEqualTo(1);
        assertThat(reversed.err()).contains(":4: " + AuditVerifier.RETIRED_KEY_AFTER_NEWER);

        // A key between the two that sealed nothing (rotated twice with no call between) is passed over.
        Path unused = dir.resolve("audit-unused.key");
        Files.writeString(unused, "c".repeat(64));
        assertThat(Cli.run("audit", "verify", "--key", key.toString(), "--key", unused.toString(), "--key", rotated.toString(),
                log.toString()).exit()).isZero();
        // The newest key given must have sealed the log's end.
        Cli.Result newestUnused = Cli.run("audit", "verify", "--key", key.toString(), "--key", rotated.toString(), "--key",
                unused.toString(), log.toString());
        assertThat(newestUnused.exit()).isEqualTo(1);
        assertThat(newestUnused.err()).contains(AuditVerifier.NEWEST_KEY_UNUSED);
    }

    @Test
    void aHolderOfTheRetiredKeyCannotRewriteTheLog() throws Exception {
        Path rotated = dir.resolve("audit-2.key");
        Files.writeString(rotated, "1b7e0c2f9a8d4e6b3c5a7f9e1d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6d8c\n");
        write(key, 1, 3);
        long lastSeq = write(rotated, 4, 6);
        AuditKey retired = AuditKey.read(key);
        Path file = AuditFiles.file(log, 1);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

        // Everything from the deny on sealed again with the retired key, the records after the rotation included.
        List<String> all = new ArrayList<>(lines.subList(0, 1));
        all.addAll(resealed(lines, 1, retired).subList(1, lines.size()));
        Files.write(file, all, StandardCharsets.UTF_8);
        Cli.Result rewritten = Cli.run("audit", "verify", "--key", key.toString(), "--key", rotated.toString(), "--expect-seq",
                Long.toString(lastSeq), log.toString());
        assertThat(rewritten.exit()).as(rewritten.out() + rewritten.err()).isEqualTo(1);
        assertThat(rewritten.err()).contains(AuditVerifier.NEWEST_KEY_UNUSED);

        // Only the records before the rotation sealed again: the first record after it names the old hash.
        List<String> before = new ArrayList<>(lines.subList(0, 1));
        before.addAll(resealed(lines.subList(0, 3), 1, retired).subList(1, 3));
        before.addAll(lines.subList(3, lines.size()));
        Files.write(file, before, StandardCharsets.UTF_8);
        Cli.Result edited = Cli.run("audit", "verify", "--key", key.toString(), "--key", rotated.toString(), log.toString());
        assertThat(edited.exit()).isEqualTo(1);
        assertThat(edited.err()).contains(":4: prev does not name the previous record's hash");
    }

    @Test
    void aKeyFileShorterThan32BytesOrMissingIsRefusedAtLoad() throws Exception {
        Files.writeString(key, "too-short\n");
        String yaml = """
                listeners:
                  - {name: public, host: 127.0.0.1, port: 8080}
                routes:
                  - {name: tools, path: /mcp/, protocol: mcp, upstream: "http://127.0.0.1:3001/mcp"}
                audit: {directory: audit, key-file: %s}
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.formatted("audit.key"), "g.yaml", Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo("audit.key-file");
                    assertThat(p.message()).contains("holds 9 byte(s); at least 32");
                }));
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.formatted("absent.key"), "g.yaml", Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p.message()).contains("does not exist")));

        Files.writeString(key, "a".repeat(32));
        GatewayConfig config = ConfigLoader.parse(yaml.formatted("audit.key"), "g.yaml", Map.of(), dir);
        assertThat(config.audit().keyFile()).isEqualTo(key);

        Files.createDirectories(dir.resolve("audit"));
        Files.writeString(dir.resolve("audit/audit.key"), "a".repeat(32));
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.formatted("./audit/../audit/audit.key"), "g.yaml", Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().satisfies(p -> {
                    assertThat(p.field()).isEqualTo("audit.key-file");
                    assertThat(p.message()).contains("must not be inside audit.directory");
                }));
    }

    /** Review AC's insider: from line {@code from} (0-based) on, the deny becomes an allow and each line is sealed again with SHA-256. */
    private static void reseal(Path file, int from) throws Exception {
        Files.write(file, resealed(Files.readAllLines(file, StandardCharsets.UTF_8), from), StandardCharsets.UTF_8);
    }

    private static List<String> resealed(List<String> lines, int from) throws Exception {
        return resealed(lines, from, null);
    }

    /** @param with the key the insider holds (a retired one), or null: plain SHA-256 */
    private static List<String> resealed(List<String> lines, int from, AuditKey with) throws Exception {
        List<String> forged = new ArrayList<>(lines.subList(0, from));
        String prev = from == 0 ? AuditChain.GENESIS : claimedHash(lines.get(from - 1));
        for (int i = from; i < lines.size(); i++) {
            String content = contentOf(lines.get(i)).replace("\"action\":\"deny\",\"enforced\":true", "\"action\":\"allow\",\"enforced\":false")
                    .replaceAll("\"prev\":\"[0-9a-f]{64}\"}$", "\"prev\":\"" + prev + "\"}");
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            prev = with != null ? with.seal(bytes) : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            forged.add(content.substring(0, content.length() - 1) + HASH_FIELD + prev + "\"}");
        }
        assertThat(String.join("\n", forged)).doesNotContain("\"action\":\"deny\"");
        return forged;
    }

    private static String contentOf(String line) {
        return line.substring(0, line.lastIndexOf(HASH_FIELD)) + "}";
    }

    private static String claimedHash(String line) {
        int at = line.lastIndexOf(HASH_FIELD) + HASH_FIELD.length();
        return line.substring(at, at + 64);
    }
}
