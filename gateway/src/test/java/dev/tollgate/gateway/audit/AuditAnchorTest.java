package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.support.Cli;
import java.io.IOException;
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
 * {@code audit verify --anchor SEQ:HASH}: the chain end the gateway logs at every close, kept off the host, shows what a
 * chain cannot while the gateway is down (review AH): records sealed again with a retired key before the rotation restart,
 * or a tail cut whose seq numbers the restarted gateway then writes again.
 */
class AuditAnchorTest {

    private static final String HASH_FIELD = ",\"hash\":\"";

    @TempDir
    Path dir;
    private Path log;
    private Path oldKey;
    private Path newKey;

    private record Entry(int n) implements AuditEntry {
        @Override
        public String method() {
            return "tools/call";
        }

        @Override
        public void writeFields(JsonGenerator json, AuditWriting writing) throws IOException {
            json.writeStringField("route", "r");
            json.writeObjectFieldStart("decision");
            json.writeStringField("action", n == 3 ? "deny" : "allow");
            json.writeBooleanField("enforced", n == 3);
            json.writeEndObject();
        }
    }

    /** Where a run of the gateway's audit log closed: what it logs as "audit chain closed at seq N, hash H". */
    private record Anchor(long seq, String hash) {
        String arg() {
            return seq + ":" + hash;
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

    private Anchor run(Path keyFile, int from, int to) throws IOException {
        AuditLog audit = AuditLog.open(new AuditConfig(log, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.DIGEST, keyFile));
        try (audit) {
            for (int i = from; i <= to; i++) {
                audit.offer(new Entry(i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> audit.written() == to - from + 1);
        }
        return new Anchor(audit.lastWrittenSeq(), audit.lastWrittenHash());
    }

    private Cli.Result verify(Anchor anchor, long expectSeq) {
        return Cli.run("audit", "verify", "--key", oldKey.toString(), "--key", newKey.toString(), "--anchor", anchor.arg(),
                "--expect-seq", Long.toString(expectSeq), log.toString());
    }

    @Test
    void anUntouchedLogVerifiesWithTheAnchorOfEachRun() throws Exception {
        Anchor first = run(oldKey, 1, 4);
        Anchor second = run(newKey, 5, 7);

        Cli.Result verified = Cli.run("audit", "verify", "--key", oldKey.toString(), "--key", newKey.toString(), "--anchor", first.arg(),
                "--anchor", second.arg(), log.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(first.seq()).isEqualTo(4);
        assertThat(second.seq()).isEqualTo(7);
    }

    @Test
    void recordsSealedAgainWithTheRetiredKeyDuringTheRotationRestartFailTheAnchor() throws Exception {
        Anchor closed = run(oldKey, 1, 4);
        Path file = AuditFiles.file(log, 1);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Files.write(file, resealedFrom(lines, 2, AuditKey.read(oldKey)), StandardCharsets.UTF_8);
        long lastSeq = run(newKey, 5, 7).seq();

        // Without the anchor the rewrite verifies (review AH's finding: the chain alone cannot tell).
        assertThat(Cli.run("audit", "verify", "--key", oldKey.toString(), "--key", newKey.toString(), log.toString()).exit()).isZero();
        Cli.Result anchored = verify(closed, lastSeq);
        assertThat(anchored.exit()).as(anchored.out() + anchored.err()).isEqualTo(1);
        assertThat(anchored.err()).contains(":4: " + AuditVerifier.ANCHOR_MISMATCH);
    }

    @Test
    void aTailCutBeforeARestartFailsTheAnchorThoughTheGatewayWroteItsSeqsAgain() throws Exception {
        Anchor closed = run(oldKey, 1, 4);
        Path file = AuditFiles.file(log, 1);
        Files.write(file, Files.readAllLines(file, StandardCharsets.UTF_8).subList(0, 2), StandardCharsets.UTF_8);
        long lastSeq = run(newKey, 5, 7).seq();

        Cli.Result anchored = verify(closed, lastSeq);
        assertThat(anchored.exit()).as(anchored.out() + anchored.err()).isEqualTo(1);
        assertThat(anchored.err()).contains(":4: " + AuditVerifier.ANCHOR_MISMATCH);

        // Cut and not written again: the log ends before the anchor.
        Files.write(file, Files.readAllLines(file, StandardCharsets.UTF_8).subList(0, 2), StandardCharsets.UTF_8);
        Cli.Result shorter = Cli.run("audit", "verify", "--key", oldKey.toString(), "--anchor", closed.arg(), log.toString());
        assertThat(shorter.exit()).isEqualTo(1);
        assertThat(shorter.err()).contains(AuditVerifier.ANCHOR_NOT_REACHED + "4)");
    }

    @Test
    void aMalformedAnchorIsAUsageError() throws Exception {
        run(oldKey, 1, 2);
        for (String bad : new String[] {"4", "0:" + "a".repeat(64), "4:" + "a".repeat(63), "x:" + "a".repeat(64)}) {
            Cli.Result result = Cli.run("audit", "verify", "--key", oldKey.toString(), "--anchor", bad, log.toString());
            assertThat(result.exit()).as(bad).isEqualTo(2);
            assertThat(result.err()).contains("expected SEQ:HASH");
        }
        Cli.Result twice = Cli.run("audit", "verify", "--anchor", "1:" + "a".repeat(64), "--anchor", "1:" + "b".repeat(64), log.toString());
        assertThat(twice.exit()).isEqualTo(2);
    }

    /** From line {@code from} (0-based) on: the deny made an allow, each line sealed again with the key the insider holds. */
    private static List<String> resealedFrom(List<String> lines, int from, AuditKey with) {
        List<String> forged = new ArrayList<>(lines.subList(0, from));
        String line0 = lines.get(from - 1);
        String prev = line0.substring(line0.lastIndexOf(HASH_FIELD) + HASH_FIELD.length(), line0.lastIndexOf(HASH_FIELD) + HASH_FIELD.length() + 64);
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            String content = (line.substring(0, line.lastIndexOf(HASH_FIELD)) + "}")
                    .replace("\"action\":\"deny\",\"enforced\":true", "\"action\":\"allow\",\"enforced\":false")
                    .replaceAll("\"prev\":\"[0-9a-f]{64}\"}$", "\"prev\":\"" + prev + "\"}");
            prev = with.seal(content.getBytes(StandardCharsets.UTF_8));
            forged.add(content.substring(0, content.length() - 1) + HASH_FIELD + prev + "\"}");
        }
        assertThat(String.join("\n", forged)).doesNotContain("\"action\":\"deny\"");
        return forged;
    }
}
