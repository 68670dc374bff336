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
            assertThat(log.offer(record(i, i % 3 == 0 ? "deny" : "allow"))).isTrue();
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
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        try (AuditLog log = AuditLog.open(new AuditConfig(dir, AuditConfig.DEFAULT_MAX_FILE_BYTES, 1, AuditConfig.WhenFull.DROP,
                AuditConfig.ArgumentsMode.NONE))) {
            int accepted = 0;
            for (int i = 0; i < 10_000; i++) {
                accepted += log.offer(record(i, "allow")) ? 1 : 0;
            }

            assertThat(log.dropped()).isEqualTo(10_000 - accepted);
            assertThat(log.dropped()).isPositive();
        }
    }
}
