package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.audit.AuditEntry;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditKey;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.audit.AuditWriting;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.support.Cli;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AH (keyed audit chain, key rotation). {@code audit verify --key OLD --key NEW} is documented to make a retired
 * (perhaps leaked) key useless: "a retired key rewrites nothing". But a key is rotated by a restart, and at start the
 * gateway continues the chain from whatever the newest file ends with (AuditAppender.open reads the last line's claimed
 * hash and seq and checks nothing). So the holder of the retired key who can write the audit directory rewrites the
 * records sealed with it while the gateway is down for the rotation (a deny turned into an allow, sealed again with the
 * old key); the gateway starts with the new key and seals its first record onto the forged hash. Verify with both keys,
 * oldest first, and {@code --expect-seq} of the last record: OK. The same window lets someone with no key at all remove the
 * records written just before the restart: the gateway reuses their seq numbers and the cut never shows.
 */
class AuditKeyRotationRestartReviewAHTest {

    private static final String HASH_FIELD = ",\"hash\":\"";

    @TempDir
    Path dir;
    private Path log;
    private Path oldKey;
    private Path newKey;

    private record Entry(int n, String action) implements AuditEntry {
        @Override
        public String method() {
            return "tools/call";
        }

        @Override
        public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
            json.writeStringField("route", "r");
            json.writeStringField("method", "tools/call");
            json.writeStringField("tool", n == 3 ? "delete_database" : "search");
            json.writeObjectFieldStart("decision");
            json.writeStringField("action", action);
            json.writeBooleanField("enforced", action.equals("deny"));
            json.writeEndObject();
        }
    }

    @BeforeEach
    void paths() throws IOException {
        log = dir.resolve("audit");
        oldKey = dir.resolve("audit-1.key");
        newKey = dir.resolve("audit-2.key");
        Files.writeString(oldKey, "9f2c51d0a7b64e83c1f0d2a9b8e7c6d5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9\n");
        Files.writeString(newKey, "1b7e0c2f9a8d4e6b3c5a7f9e1d2c4b6a8f0e2d4c6b8a0f2e4d6c8b0a2f4e6d8c\n");
    }

    /** One run of the gateway's audit log with this key: records from..to (record 3 is a deny), then closed. */
    private long run(Path keyFile, int from, int to) throws IOException {
        try (AuditLog audit = AuditLog.open(new AuditConfig(log, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST, keyFile))) {
            for (int i = from; i <= to; i++) {
                audit.offer(new Entry(i, i == 3 ? "deny" : "allow"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> audit.written() == to - from + 1);
            return audit.lastWrittenSeq();
        }
    }

    @Test
    void theHolderOfTheRetiredKeyRewritesItsRecordsDuringTheRotationRestart() throws Exception {
        run(oldKey, 1, 4);
        Path file = AuditFiles.file(log, 1);
        // The gateway is down for the rotation; the holder of the old key turns record 3's deny into an allow.
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Files.write(file, resealedFrom(lines, 2, AuditKey.read(oldKey)), StandardCharsets.UTF_8);
        assertThat(Files.readString(file)).doesNotContain("\"action\":\"deny\"");
        // Restarted with the new key.
        long lastSeq = run(newKey, 5, 7);

        Cli.Result verified = Cli.run("audit", "verify", "--key", oldKey.toString(), "--key", newKey.toString(), "--expect-seq",
                Long.toString(lastSeq), log.toString());

        assertThat(verified.exit()).as("verify --key old --key new --expect-seq %d on a log whose deny is now an allow: %s", lastSeq,
                verified.out().strip()).isEqualTo(1);
    }

    @Test
    void withoutAnyKeyTheRecordsWrittenJustBeforeTheRotationRestartAreRemovedUnseen() throws Exception {
        long before = run(oldKey, 1, 4);
        Path file = AuditFiles.file(log, 1);
        // No key at all: the last two records (the deny and the one after it) are cut while the gateway is down.
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Files.write(file, lines.subList(0, 2), StandardCharsets.UTF_8);
        long lastSeq = run(newKey, 5, 7);
        assertThat(lastSeq).isGreaterThanOrEqualTo(before);

        // The operator expects at least the seq the gateway reported before the restart (4), or the one it reports now.
        Cli.Result verified = Cli.run("audit", "verify", "--key", oldKey.toString(), "--key", newKey.toString(), "--expect-seq",
                Long.toString(lastSeq), log.toString());

        assertThat(verified.exit()).as("verify after 2 records were cut before the restart: %s", verified.out().strip()).isEqualTo(1);
    }

    /** From line {@code from} (0-based) on: the deny made an allow, each line sealed again with the retired key. */
    private static List<String> resealedFrom(List<String> lines, int from, AuditKey with) throws Exception {
        Method seal = AuditKey.class.getDeclaredMethod("seal", byte[].class);
        seal.setAccessible(true);
        List<String> forged = new ArrayList<>(lines.subList(0, from));
        String prev = claimedHash(lines.get(from - 1));
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            String content = (line.substring(0, line.lastIndexOf(HASH_FIELD)) + "}")
                    .replace("\"action\":\"deny\",\"enforced\":true", "\"action\":\"allow\",\"enforced\":false")
                    .replaceAll("\"prev\":\"[0-9a-f]{64}\"}$", "\"prev\":\"" + prev + "\"}");
            prev = (String) seal.invoke(with, (Object) content.getBytes(StandardCharsets.UTF_8));
            forged.add(content.substring(0, content.length() - 1) + HASH_FIELD + prev + "\"}");
        }
        return forged;
    }

    private static String claimedHash(String line) {
        int at = line.lastIndexOf(HASH_FIELD) + HASH_FIELD.length();
        return line.substring(at, at + 64);
    }
}
