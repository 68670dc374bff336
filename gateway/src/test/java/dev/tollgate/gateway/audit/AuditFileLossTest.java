package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.support.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A current audit file removed, renamed away, replaced or cut while the writer has it open (review BD finding 1): the
 * records in it are counted as lost and described in a side file, the file is made again and the chain goes on from the
 * last record sealed, so verify shows the gap. Also the files' names past 999999 (finding 7) and the directory lock held
 * per process (finding 8).
 */
class AuditFileLossTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private AuditLog open() throws IOException {
        return AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.FULL));
    }

    private static void write(AuditLog log, int from, int to) {
        for (int i = from; i < to; i++) {
            ObjectNode r = JSON.createObjectNode().put("time", "2026-12-07T08:00:00Z").put("route", "r").put("method", "tools/call")
                    .put("tool", "t" + i);
            r.putObject("decision").put("action", "allow");
            assertThat(log.offer(new TreeAuditEntry(r))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == to);
    }

    private static List<JsonNode> records(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private List<Path> notes() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("audit-000001.jsonl.lost-")).toList();
        }
    }

    @Test
    void aRemovedFilesRecordsAreCountedAsLostAndTheChainGoesOnFromThem() throws Exception {
        String hashOfThird;
        try (AuditLog log = open()) {
            write(log, 0, 3);
            hashOfThird = log.lastWrittenHash();
            Files.delete(AuditFiles.file(dir, 1));
            write(log, 3, 6);
            assertThat(log.lostRecords()).isEqualTo(3);
            assertThat(log.healthy()).isTrue();
            assertThat(log.lastWrittenSeq()).isEqualTo(6);
        }
        List<JsonNode> kept = records(AuditFiles.file(dir, 1));
        assertThat(kept).extracting(r -> r.path("seq").asLong()).containsExactly(4L, 5L, 6L);
        assertThat(kept.get(0).path("prev").asText()).as("the chain goes on from the last record sealed").isEqualTo(hashOfThird);

        assertThat(notes()).hasSize(1);
        JsonNode note = JSON.readTree(Files.readString(notes().get(0)));
        assertThat(note.path("how").asText()).isEqualTo("removed");
        assertThat(note.path("first_seq").asLong()).isEqualTo(1);
        assertThat(note.path("last_seq").asLong()).isEqualTo(3);
        assertThat(note.path("records").asLong()).isEqualTo(3);

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as("verify reports the gap: " + result).isFalse();
        assertThat(result.records()).isZero();
        assertThat(result.line()).isEqualTo(1);

        Cli.Result verified = Cli.run("audit", "verify", dir.toString());
        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.err()).contains("audit-000001.jsonl:1: prev does not name").contains("NOTE: ")
                .contains("\"first_seq\":1,\"last_seq\":3,\"records\":3");
    }

    @Test
    void aFileRenamedAwayIsCountedAndPutBackInOrderTheChainVerifies() throws Exception {
        Path moved = dir.resolve("archived.jsonl");
        try (AuditLog log = open()) {
            write(log, 0, 3);
            Files.move(AuditFiles.file(dir, 1), moved);
            write(log, 3, 5);
            assertThat(log.lostRecords()).isEqualTo(3);
        }
        AuditVerifier.Result result = AuditVerifier.verify(List.of(moved, AuditFiles.file(dir, 1)));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(5);
    }

    @Test
    void aFileCutWhileOpenIsCountedAsLost() throws Exception {
        try (AuditLog log = open()) {
            write(log, 0, 3);
            Files.write(AuditFiles.file(dir, 1), new byte[0]); // truncated in place: same inode
            write(log, 3, 5);
            assertThat(log.lostRecords()).isEqualTo(3);
        }
        assertThat(records(AuditFiles.file(dir, 1))).extracting(r -> r.path("seq").asLong()).containsExactly(4L, 5L);
        assertThat(JSON.readTree(Files.readString(notes().get(0))).path("how").asText()).isEqualTo("cut");
    }

    @Test
    void aFileReplacedWhileOpenIsCountedAsLost() throws Exception {
        Path other = dir.resolve("other");
        try (AuditLog log = open()) {
            write(log, 0, 2);
            Files.writeString(other, "");
            Files.move(other, AuditFiles.file(dir, 1), StandardCopyOption.REPLACE_EXISTING);
            write(log, 2, 3);
            assertThat(log.lostRecords()).isEqualTo(2);
        }
        assertThat(records(AuditFiles.file(dir, 1))).extracting(r -> r.path("seq").asLong()).containsExactly(3L);
        assertThat(JSON.readTree(Files.readString(notes().get(0))).path("how").asText()).isEqualTo("replaced");
    }

    @Test
    void aFileOpenedAtStartAndRemovedCountsWhatItHeld() throws Exception {
        try (AuditLog log = open()) {
            write(log, 0, 4);
        }
        try (AuditLog log = open()) {
            write(log, 0, 1); // seq 5, into the same file
            Files.delete(AuditFiles.file(dir, 1));
            write(log, 1, 2);
            assertThat(log.lostRecords()).isEqualTo(5);
        }
        JsonNode note = JSON.readTree(Files.readString(notes().get(0)));
        assertThat(note.path("first_seq").asLong()).isEqualTo(1);
        assertThat(note.path("last_seq").asLong()).isEqualTo(5);
    }

    @Test
    void aRemovedDirectoryIsMadeAgainAndLockedAgain() throws Exception {
        Path audit = dir.resolve("audit");
        AuditConfig config = new AuditConfig(audit, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.FULL);
        try (AuditLog log = AuditLog.open(config)) {
            write(log, 0, 3);
            try (Stream<Path> files = Files.list(audit)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(audit); // rm -rf audit/, the lock file with it
            write(log, 3, 5);
            assertThat(log.lostRecords()).isEqualTo(3);
            assertThat(records(AuditFiles.file(audit, 1))).extracting(r -> r.path("seq").asLong()).containsExactly(4L, 5L);
            assertThat(otherProcessCanLock(audit.resolve(AuditAppender.LOCK_FILE))).as("the new lock file is held").isFalse();
            assertThatThrownBy(() -> AuditLog.open(config)).isInstanceOf(IOException.class);
        }
        assertThat(otherProcessCanLock(audit.resolve(AuditAppender.LOCK_FILE))).as("released at close").isTrue();
    }

    @Test
    void aRemovedDirectoryTakenByAnotherGatewayIsNotWrittenOn() throws Exception {
        Path audit = dir.resolve("audit");
        AuditConfig config = new AuditConfig(audit, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.FULL);
        Process other = null;
        try (AuditLog log = AuditLog.open(config)) {
            write(log, 0, 1);
            try (Stream<Path> files = Files.list(audit)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            // Another gateway takes the (removed and made again) directory: it holds the new lock file.
            other = new ProcessBuilder("python3", "-c", "import fcntl,sys\nf=open(sys.argv[1],'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\n"
                    + "print('locked',flush=True)\nsys.stdin.read()", audit.resolve(AuditAppender.LOCK_FILE).toString()).start();
            assertThat(new String(other.getInputStream().readNBytes(6))).isEqualTo("locked");
            ObjectNode r = JSON.createObjectNode().put("route", "r").put("method", "tools/call").put("tool", "t1");
            assertThat(log.offer(new TreeAuditEntry(r))).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.healthy());
            assertThat(log.written()).isEqualTo(1);
            assertThat(AuditFiles.inOrder(audit)).isEmpty();

            other.destroy(); // the other gateway stops: the directory can be taken again, and the kept record is written
            other.waitFor();
            await().atMost(Duration.ofSeconds(15)).until(() -> log.healthy() && log.written() == 2);
            assertThat(records(AuditFiles.file(audit, 1))).extracting(x -> x.path("seq").asLong()).containsExactly(2L);
            assertThat(otherProcessCanLock(audit.resolve(AuditAppender.LOCK_FILE))).isFalse();
        } finally {
            if (other != null) {
                other.destroy();
                other.waitFor();
            }
        }
    }

    /** Whether another process gets an exclusive lock on the file right now (it releases it at once). */
    private static boolean otherProcessCanLock(Path lock) throws Exception {
        Process process = new ProcessBuilder("python3", "-c", "import fcntl,sys\nf=open(sys.argv[1],'a')\n"
                + "try:\n  fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\n  print('locked')\nexcept OSError:\n  print('held')",
                lock.toString()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertThat(out).isIn("locked", "held");
        return out.equals("locked");
    }

    @Test
    void aFileRemovedAfterTheLastBatchIsFoundAtClose() throws Exception {
        AuditLog log = open();
        write(log, 0, 3);
        Files.delete(AuditFiles.file(dir, 1));
        log.close();
        assertThat(log.lostRecords()).isEqualTo(3);
        assertThat(notes()).hasSize(1);
    }

    @Test
    void nothingIsLostWhileTheFileStaysAndRotates() throws Exception {
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, 300, 1000, AuditConfig.WhenFull.REJECT, AuditConfig.ArgumentsMode.FULL))) {
            for (int i = 0; i < 10; i++) {
                write(log, i, i + 1);
            }
            assertThat(log.lostRecords()).isZero();
        }
        assertThat(AuditFiles.inOrder(dir).size()).isGreaterThan(2);
        assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir)).records()).isEqualTo(10);
        assertThat(notes()).isEmpty();
    }

    @Test
    void filesAreReadBackAsTheWriterNamesThemInTheirNumbersOrder() throws Exception {
        for (String name : List.of("audit-1000001.jsonl", "audit-000002.jsonl", "audit-1000000.jsonl", "audit-999999.jsonl",
                "audit-0000011.jsonl", "audit-12345.jsonl", "audit-000003.jsonl.partial-x")) {
            Files.createFile(dir.resolve(name));
        }
        assertThat(AuditFiles.inOrder(dir)).extracting(f -> f.getFileName().toString())
                .containsExactly("audit-000002.jsonl", "audit-999999.jsonl", "audit-1000000.jsonl", "audit-1000001.jsonl");
        assertThat(AuditFiles.file(dir, 1_000_000).getFileName().toString()).isEqualTo("audit-1000000.jsonl");
    }

    @Test
    void aClosedLogLeavesTheDirectoryToTheNextOpenInTheSameProcess() throws Exception {
        try (AuditLog first = open()) {
            write(first, 0, 1);
            assertThatThrownBy(this::open).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> AuditLog.open(new AuditConfig(dir.resolve("."), AuditConfig.DEFAULT_MAX_FILE_BYTES, 10,
                    AuditConfig.WhenFull.REJECT, AuditConfig.ArgumentsMode.DIGEST))).as("another spelling of the directory")
                    .isInstanceOf(IOException.class);
        }
        try (AuditLog again = open()) {
            assertThat(again.lastWrittenSeq()).isEqualTo(1);
        }
    }

    @Test
    void aStartThatFailsAfterTakingTheDirectoryLeavesItToTheNextTry() throws Exception {
        Path blocking = Files.createDirectory(AuditFiles.file(dir, 1)); // the newest "file" cannot be opened for writing
        assertThatThrownBy(this::open).isInstanceOf(IOException.class);
        Files.delete(blocking);
        try (AuditLog log = open()) {
            write(log, 0, 1);
        }
    }
}
