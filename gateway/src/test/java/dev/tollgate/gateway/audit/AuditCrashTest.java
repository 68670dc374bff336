package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.AuditConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: a separate JVM writes audit records as fast as it can and is killed (SIGKILL) wherever its
 * writer happens to be, again and again, each restart continuing the same log. Where a kill falls is up to
 * the scheduler (a cut mid-record is certain only in AuditLogTest's simulated crash); whatever it is, no
 * byte is lost (complete lines stay, each cut record goes to a side file) and the last start continues an
 * intact, gapless chain.
 */
class AuditCrashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CRASHES = 3;
    private static final long GROWTH_BEFORE_KILL_BYTES = 200_000;
    /** Records of ~3 KB: the writer's 64 KB buffer boundaries fall inside records. */
    private static final int PAD_CHARS = 2_000;

    @TempDir
    Path dir;

    /** The crashing writer. */
    public static void main(String[] args) throws Exception {
        AuditLog log = AuditLog.open(new AuditConfig(Path.of(args[0]), AuditConfig.DEFAULT_MAX_FILE_BYTES, 100, AuditConfig.WhenFull.DROP,
                AuditConfig.ArgumentsMode.NONE));
        String pad = "\u00e9x".repeat(PAD_CHARS / 2);
        for (long i = 0; ; i++) {
            if (!log.offer(new TreeAuditEntry(JSON.createObjectNode().put("method", "tools/call").put("tool", "t" + i).put("pad", pad)))) {
                Thread.yield();
            }
        }
    }

    @Test
    void writersKilledMidStreamLeaveALogTheNextStartContinuesIntact() throws Exception {
        Path file = AuditFiles.file(dir, 1);
        int cutMidRecord = 0;
        for (int crash = 0; crash < CRASHES; crash++) {
            long threshold = (Files.exists(file) ? Files.size(file) : 0) + GROWTH_BEFORE_KILL_BYTES;
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AuditCrashTest.class.getName(), dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("writer.log").toFile())).start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(file) && Files.size(file) > threshold);
            } finally {
                writer.destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            cutMidRecord += lastByte(file) == '\n' ? 0 : 1;
        }
        byte[] left = Files.readAllBytes(file);
        long completeLines = 0;
        for (byte b : left) {
            completeLines += b == '\n' ? 1 : 0;
        }

        try (AuditLog reopened = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1000, AuditConfig.WhenFull.REJECT,
                AuditConfig.ArgumentsMode.NONE))) {
            assertThat(reopened.lastWrittenSeq()).isEqualTo(completeLines);
            for (int i = 0; i < 5; i++) {
                reopened.offer(new TreeAuditEntry(JSON.createObjectNode().put("method", "tools/call").put("tool", "after-" + i)));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> reopened.written() == 5);
        }

        AuditVerifier.Result result = AuditVerifier.verify(AuditFiles.inOrder(dir));
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.records()).isEqualTo(completeLines + 5);
        assertThat(result.lastSeq()).isEqualTo(completeLines + 5);
        List<Path> sideFiles;
        try (var listing = Files.list(dir)) {
            sideFiles = listing.filter(f -> f.getFileName().toString().contains(".partial-")).toList();
        }
        long sideBytes = 0;
        for (Path side : sideFiles) {
            sideBytes += Files.size(side);
            assertThat(Files.readAllBytes(side)).doesNotContain((byte) '\n');
        }
        // Each cut record went to its own side file (the last one at the final start), nowhere else.
        assertThat(sideFiles).hasSize(cutMidRecord);
        assertThat(sideBytes > 0).isEqualTo(cutMidRecord > 0);
    }

    private static int lastByte(Path file) throws Exception {
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "r")) {
            raf.seek(raf.length() - 1);
            return raf.read();
        }
    }
}
