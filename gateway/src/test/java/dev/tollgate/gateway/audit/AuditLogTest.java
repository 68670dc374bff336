package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private AuditLog open(long maxFileBytes) throws Exception {
        return AuditLog.open(new AuditConfig(dir, maxFileBytes, 1000, AuditConfig.WhenFull.REJECT, AuditConfig.ArgumentsMode.FULL));
    }

    private static ObjectNode record(int i, String action) {
        ObjectNode r = JSON.createObjectNode().put("time", "2026-11-25T06:00:0" + (i % 10) + "Z").put("route", "r").put("method", "tools/call")
                .put("tool", "t" + i);
        r.putObject("decision").put("action", action).put("rule", "rule-" + i);
        return r;
    }

    private void write(AuditLog log, int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(log.offer(new TreeAuditEntry(record(i, i % 3 == 0 ? "deny" : "allow")))).isTrue();
        }
        int expected = to;
        await().atMost(Duration.ofSeconds(5)).until(() -> log.written() >= expected - from);
    }

    @Test
    void recordsFormAnIntactChain() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            write(log, 0, 50);
        }
        List<String> lines = Files.readAllLines(AuditFiles.file(dir, 1));

        assertThat(lines).hasSize(50);
        assertThat(JSON.readTree(lines.get(0)).path("prev").asText()).isEqualTo(AuditChain.GENESIS);
        assertThat(JSON.readTree(lines.get(1)).path("prev").asText()).isEqualTo(JSON.readTree(lines.get(0)).path("hash").asText());
        assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir)).ok()).isTrue();
        assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir)).records()).isEqualTo(50);
    }

    @Test
    void editingTheDecisionOfOneRecordBreaksVerificationAtThatRecord() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            write(log, 0, 10);
        }
        Path file = AuditFiles.file(dir, 1);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        assertThat(lines.get(6)).contains("\"action\":\"deny\"");
        lines.set(6, lines.get(6).replace("\"action\":\"deny\"", "\"action\":\"allow\""));
        Files.write(file, lines, StandardCharsets.UTF_8);

        AuditVerifier.Result result = AuditVerifier.verify(List.of(file));

        assertThat(result.ok()).isFalse();
        assertThat(result.line()).isEqualTo(7);
        assertThat(result.records()).isEqualTo(6);
        assertThat(result.reason()).contains("does not match its hash");
    }

    @Test
    void removingARecordBreaksTheChainAtTheNextOne() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            write(log, 0, 10);
        }
        Path file = AuditFiles.file(dir, 1);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(3);
        Files.write(file, lines, StandardCharsets.UTF_8);

        AuditVerifier.Result result = AuditVerifier.verify(List.of(file));

        assertThat(result.ok()).isFalse();
        assertThat(result.line()).isEqualTo(4);
        assertThat(result.reason()).contains("prev does not name the previous record");
    }

    @Test
    void filesRotateBySizeAndTheChainContinuesAcrossFilesAndRestarts() throws Exception {
        try (AuditLog log = open(2_000)) {
            write(log, 0, 40);
        }
        try (AuditLog reopened = open(2_000)) {
            write(reopened, 40, 60);
        }
        List<Path> files = AuditFiles.inOrder(dir);

        assertThat(files.size()).isGreaterThan(3);
        assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isLessThanOrEqualTo(2_000));
        AuditVerifier.Result result = AuditVerifier.verify(files);
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(60);
        // Verifying the files out of order breaks the chain: order is part of what is proven.
        List<Path> swapped = new ArrayList<>(files);
        java.util.Collections.swap(swapped, 0, 1);
        assertThat(AuditVerifier.verify(swapped).ok()).isFalse();
    }

    @Test
    void aFullQueueRefusesAtOnceCountsTheRefusalsAndWritesExactlyTheAcceptedRecords() throws Exception {
        // The writer is held on a failing disk (writes to /dev/full fail), so it takes nothing more from the
        // queue: past the queue's room every offer must come back false at once. An offer that waited for room
        // would never return while the disk fails, so the offers run on their own thread and the test waits
        // for them (a guard against a hang, not a measure of speed).
        Path full = Path.of("/dev/full");
        assertThat(Files.exists(full)).as("needs /dev/full (writes to it fail with ENOSPC); every Linux has it").isTrue();
        Path file = AuditFiles.file(dir, 1);
        Files.createSymbolicLink(file, full);
        List<String> accepted = new ArrayList<>();
        int offers = 10_000;
        int refused;
        long dropped;
        ExecutorService offering = Executors.newSingleThreadExecutor();
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1, AuditConfig.WhenFull.DROP,
                AuditConfig.ArgumentsMode.NONE))) {
            refused = offering.submit(() -> {
                int no = 0;
                for (int i = 0; i < offers; i++) {
                    if (log.offer(new TreeAuditEntry(record(i, "allow")))) {
                        accepted.add("t" + i);
                    } else {
                        no++;
                    }
                }
                return no;
            }).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.failedWrites() >= 1);
            // Room for one queued record, plus the one the stalled writer took and holds for its retry.
            assertThat(accepted).hasSizeBetween(1, 2);
            assertThat(refused).isEqualTo(offers - accepted.size());
            assertThat(log.written()).isZero();

            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == accepted.size());
            dropped = log.dropped();
        } finally {
            offering.shutdownNow();
        }

        // Counted: every refused offer and nothing else. Written: every accepted record, in order, and nothing else.
        assertThat(dropped).isEqualTo(refused);
        List<String> onDisk = new ArrayList<>();
        for (Path f : AuditFiles.inOrder(dir)) {
            for (String line : Files.readAllLines(f)) {
                onDisk.add(JSON.readTree(line).path("tool").asText());
            }
        }
        assertThat(onDisk).isEqualTo(accepted);
        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(accepted.size());
        assertThat(result.lastSeq()).isEqualTo(accepted.size());
    }

    @Test
    void loneSurrogatesInARecordNeitherPoisonTheWriterNorBreakTheChain() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            ObjectNode poisoned = record(0, "allow").put("tool", "x\ud800");
            poisoned.putObject("arguments").put("\udc00key", "tail\ud83d").put("pair", "ok \ud83d\ude00");
            assertThat(log.offer(new TreeAuditEntry(poisoned))).isTrue();
            write(log, 1, 11);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 11);

            assertThat(log.failedRecords()).isZero();
            assertThat(log.failedWrites()).isZero();
            assertThat(log.healthy()).isTrue();
            assertThat(log.lastWrittenSeq()).isEqualTo(11);
        }
        List<String> lines = Files.readAllLines(AuditFiles.file(dir, 1), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(11);
        assertThat(JSON.readTree(lines.get(0)).path("tool").asText()).isEqualTo("x\uFFFD");
        assertThat(lines.get(0)).contains("\"\uFFFDkey\":\"tail\uFFFD\"", "ok \ud83d\ude00");
        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(11);
    }

    @Test
    void aRecordThatCannotBeSerializedIsCountedAndLostAloneWhileLaterRecordsAreWritten() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            write(log, 0, 3);
            assertThat(log.offer(new TreeAuditEntry(record(3, "allow").putPOJO("broken", new Unserializable())))).isTrue();
            for (int i = 4; i < 8; i++) {
                assertThat(log.offer(new TreeAuditEntry(record(i, "allow")))).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 7);

            assertThat(log.failedRecords()).isEqualTo(1);
            assertThat(log.failedWrites()).isZero();
        }
        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(7);
        assertThat(result.lastSeq()).isEqualTo(7);
    }

    /** A bean whose serialization always fails. */
    public static final class Unserializable {
        public String getValue() {
            throw new IllegalStateException("cannot be serialized");
        }
    }

    @Test
    void aFailingDiskKeepsTheRecordsRetriesAndIsReportedUnhealthyUntilWritesSucceedAgain() throws Exception {
        Path full = Path.of("/dev/full");
        assertThat(Files.exists(full)).as("needs /dev/full (writes to it fail with ENOSPC); every Linux has it").isTrue();
        Path file = AuditFiles.file(dir, 1);
        Files.createSymbolicLink(file, full);
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            for (int i = 0; i < 5; i++) {
                assertThat(log.offer(new TreeAuditEntry(record(i, "allow")))).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.failedWrites() >= 2);

            assertThat(log.healthy()).isFalse();
            assertThat(log.written()).isZero();
            assertThat(log.lastWrittenSeq()).isZero();

            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 5);
            assertThat(log.healthy()).isTrue();
            write(log, 5, 8);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 8);
            assertThat(log.lastWrittenSeq()).isEqualTo(8);
        }
        assertThat(Files.isSymbolicLink(file)).isFalse();
        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(8);
    }

    @Test
    void recordsAreNumberedWithoutGapsAcrossRotationAndRestarts() throws Exception {
        try (AuditLog log = open(2_000)) {
            write(log, 0, 30);
        }
        try (AuditLog reopened = open(2_000)) {
            assertThat(reopened.lastWrittenSeq()).isEqualTo(30);
            write(reopened, 30, 45);
            assertThat(reopened.lastWrittenSeq()).isEqualTo(45);
        }
        List<Long> seqs = new ArrayList<>();
        for (Path file : AuditFiles.inOrder(dir)) {
            for (String line : Files.readAllLines(file)) {
                seqs.add(JSON.readTree(line).path("seq").asLong());
            }
        }
        assertThat(AuditFiles.inOrder(dir).size()).isGreaterThan(2);
        assertThat(seqs).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 45).boxed().toList());
        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.firstSeq()).isEqualTo(1);
        assertThat(result.lastSeq()).isEqualTo(45);
    }

    @Test
    void aPartialLastLineLeftByACrashIsSetAsideAndTheChainContinuesFromTheLastCompleteRecord() throws Exception {
        try (AuditLog log = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            write(log, 0, 5);
        }
        Path file = AuditFiles.file(dir, 1);
        byte[] fifth = (Files.readAllLines(file).get(4) + "\n").getBytes(StandardCharsets.UTF_8);
        // Half a record with a multi-byte character cut in two, as a crash mid-write leaves it.
        byte[] whole = "{\"time\":\"2026-11-25T06:00:05Z\",\"tool\":\"\u00e9".getBytes(StandardCharsets.UTF_8);
        byte[] partial = java.util.Arrays.copyOf(whole, whole.length - 1);
        Files.write(file, partial, java.nio.file.StandardOpenOption.APPEND);

        try (AuditLog reopened = open(AuditConfig.DEFAULT_MAX_FILE_BYTES)) {
            assertThat(reopened.lastWrittenSeq()).isEqualTo(5);
            write(reopened, 5, 10);
        }

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(10);
        assertThat(result.lastSeq()).isEqualTo(10);
        assertThat(Files.readAllLines(file).get(4) + "\n").isEqualTo(new String(fifth, StandardCharsets.UTF_8));
        List<Path> sideFiles;
        try (var listing = Files.list(dir)) {
            sideFiles = listing.filter(f -> f.getFileName().toString().startsWith("audit-000001.jsonl.partial-")).toList();
        }
        assertThat(sideFiles).singleElement().satisfies(side -> assertThat(Files.readAllBytes(side)).isEqualTo(partial));
    }

    @Test
    void aPartialRecordAloneInTheNewestFileContinuesTheChainOfTheFileBefore() throws Exception {
        try (AuditLog log = open(2_000)) {
            write(log, 0, 20);
        }
        List<Path> files = AuditFiles.inOrder(dir);
        Path next = AuditFiles.file(dir, AuditFiles.sequenceOf(files.get(files.size() - 1)) + 1);
        Files.writeString(next, "{\"time\":\"2026-11-25T06:00:05Z\",\"rou");

        try (AuditLog reopened = open(2_000)) {
            assertThat(reopened.lastWrittenSeq()).isEqualTo(20);
            write(reopened, 20, 25);
        }

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.lastSeq()).isEqualTo(25);
    }

    @Test
    void aCallIsAdmittedOnlyWhenAllItsRecordsFitAndAnAdmittedCallsRecordsAreNeverDropped() throws Exception {
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 10, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.NONE))) {
            AutoCloseable held = log.holdWriter();
            assertThat(log.admit(11)).as("a batch of 11 never fits a queue of 10").isNull();
            for (int i = 0; i < 6; i++) {
                assertThat(log.offer(new TreeAuditEntry(record(i, "allow")))).isTrue();
            }
            assertThat(log.admit(5)).isNull();
            // Single calls hold nothing while they run: the same room admits any number of them (streams held open).
            AuditLog.Admission[] singles = {log.admit(1), log.admit(1), log.admit(1), log.admit(1), log.admit(1)};
            assertThat(singles).doesNotContainNull();
            // A batch holds room for its records beyond the first: 6 queued + 3 held, so a second batch of 4 waits.
            AuditLog.Admission batch = log.admit(4);
            assertThat(batch).isNotNull();
            assertThat(log.admit(4)).as("the first batch's other records hold their room").isNull();
            assertThat(log.admit(1)).as("one record still fits: 6 queued + 3 held").isNotNull();
            assertThat(log.offer(new TreeAuditEntry(record(98, "allow")))).as("nor does a record nobody admitted take that room").isTrue();
            assertThat(log.isFull()).isTrue();
            assertThat(log.admit(0)).as("a call with nothing to record needs no room").isNotNull();

            // The five single calls end: each record is queued past the capacity, one per call in flight.
            for (int i = 0; i < 5; i++) {
                log.queueAdmitted(singles[i], List.of(new TreeAuditEntry(record(10 + i, "allow"))));
            }
            // The batch ends with 3 records of its 4: the fourth's room comes back.
            log.queueAdmitted(batch, List.of(new TreeAuditEntry(record(20, "allow")), new TreeAuditEntry(record(21, "allow")),
                    new TreeAuditEntry(record(22, "allow"))));
            assertThat(log.queued()).isEqualTo(6 + 1 + 5 + 3);
            assertThat(log.offer(new TreeAuditEntry(record(99, "allow")))).as("a record nobody admitted finds no room").isFalse();
            assertThat(log.dropped()).isEqualTo(1);

            held.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> log.written() == 15);
            assertThat(log.queued()).isZero();
            assertThat(log.admit(10)).as("all held room came back").isNotNull();
        }
        assertThat(AuditVerifier.verify(AuditFiles.inOrder(dir)).records()).isEqualTo(15);
    }
}
