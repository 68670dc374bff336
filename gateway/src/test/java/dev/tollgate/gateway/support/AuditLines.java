package dev.tollgate.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.audit.AuditFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/** Reads a gateway's first audit file back, for tests that check what a call's record says. */
public final class AuditLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLines() {
    }

    /**
     * The first record {@code which} accepts, waiting up to five seconds for the writer (records are written after the
     * answer, off the event loop); null when none came.
     */
    public static JsonNode awaitFirst(Path auditDirectory, Predicate<JsonNode> which) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        JsonNode record = first(auditDirectory, which);
        while (record == null && System.nanoTime() < deadline) {
            Thread.sleep(25);
            record = first(auditDirectory, which);
        }
        return record;
    }

    /** The first record of the audit directory's first file that {@code which} accepts; null when none (yet). */
    public static JsonNode first(Path auditDirectory, Predicate<JsonNode> which) throws IOException {
        Path file = AuditFiles.file(auditDirectory, 1);
        if (!Files.exists(file)) {
            return null;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            if (which.test(record)) {
                return record;
            }
        }
        return null;
    }
}
