package dev.tollgate.gateway.audit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an audit file: its last complete line, and the repair of a partial one. A crash (or a full
 * disk) in the middle of a write leaves bytes without a closing newline; appending after them would glue
 * the next record onto garbage and break the chain for good. Those bytes are moved to a side file
 * {@code <name>.partial-<UTC time>} (nothing is silently destroyed) and the file is cut back to its last
 * complete line.
 */
final class AuditTail {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTail.class);
    private static final DateTimeFormatter SIDE_FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int READ_CHUNK_BYTES = 8192;

    private AuditTail() {
    }

    /** Cuts a partial last line off the file into a side file; returns the number of bytes moved (0 when none). */
    static long repair(Path file, Clock clock) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        long size = Files.size(file);
        long end = lastNewline(file, size) + 1;
        if (end == size) {
            return 0;
        }
        Path side = sideFile(file, clock);
        byte[] partial;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            partial = new byte[(int) (size - end)];
            raf.seek(end);
            raf.readFully(partial);
            // The side file is on disk before the bytes leave the log.
            Files.write(side, partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            raf.getChannel().truncate(end);
            raf.getChannel().force(true);
        }
        LOG.warn("audit: {} ended in a partial record ({} bytes, left by a crash or a failed write): moved them to {}; "
                + "the chain continues from the last complete record", file, partial.length, side);
        return partial.length;
    }

    /** {@code <name>.partial-<UTC time>}, with a counter should two repairs fall in the same millisecond. */
    private static Path sideFile(Path file, Clock clock) {
        String base = file.getFileName() + ".partial-" + SIDE_FILE_TIME.format(clock.instant());
        Path side = file.resolveSibling(base);
        for (int n = 1; Files.exists(side, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
            side = file.resolveSibling(base + "-" + n);
        }
        return side;
    }

    /** The last newline-terminated line of the file, without its newline; null when there is none. */
    static String lastCompleteLine(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        long size = Files.size(file);
        long lineEnd = lastNewline(file, size);
        if (lineEnd < 0) {
            return null;
        }
        long lineStart = lastNewline(file, lineEnd) + 1;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[(int) (lineEnd - lineStart)];
            raf.seek(lineStart);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Position of the last '\n' before {@code before}, or -1. */
    private static long lastNewline(Path file, long before) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] chunk = new byte[READ_CHUNK_BYTES];
            long pos = before;
            while (pos > 0) {
                int n = (int) Math.min(chunk.length, pos);
                pos -= n;
                raf.seek(pos);
                raf.readFully(chunk, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    if (chunk[i] == '\n') {
                        return pos + i;
                    }
                }
            }
            return -1;
        }
    }
}
