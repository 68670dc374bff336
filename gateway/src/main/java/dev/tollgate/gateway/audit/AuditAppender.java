package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;

/**
 * Appends sealed lines to the audit files, rotating by size, as bytes: there is no character encoder
 * whose state a bad record could poison. After a failed write the file is closed and, on the next try,
 * reopened as at start (a partial last line repaired), and the lines already on disk are not written twice.
 * Used by the writer thread only.
 */
final class AuditAppender implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER_BYTES = 64 * 1024;

    /** Where the chain stands on disk: the last complete record's hash and seq (0 before the first, or for a legacy log). */
    record ChainEnd(String hash, long seq) {
        static final ChainEnd GENESIS = new ChainEnd(AuditChain.GENESIS, 0);
    }

    private final Path directory;
    private final long maxFileBytes;
    private final Clock clock;
    private int fileNumber = 1;
    private long fileBytes;
    private FileChannel channel;
    private OutputStream out;
    /** The chain end read back at the last (re)open: lines up to it are on disk already. */
    private ChainEnd onDisk;
    /** This writer's hold on the directory ({@link #LOCK_FILE}), taken at the first open, released at close. */
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    /** The file whose lock says which gateway writes the directory's chain. */
    static final String LOCK_FILE = ".tollgate-audit.lock";

    AuditAppender(Path directory, long maxFileBytes, Clock clock) {
        this.directory = directory;
        this.maxFileBytes = maxFileBytes;
        this.clock = clock;
    }

    /** Opens the newest file (repairing a partial tail) and returns where its chain ends. */
    ChainEnd open() throws IOException {
        Files.createDirectories(directory);
        lockDirectory();
        List<Path> existing = AuditFiles.inOrder(directory);
        ChainEnd end = ChainEnd.GENESIS;
        if (!existing.isEmpty()) {
            Path newest = existing.get(existing.size() - 1);
            fileNumber = AuditFiles.sequenceOf(newest);
            AuditTail.repair(newest, clock);
            // Newest first; a newest file holding no complete record yet continues the one before it.
            for (int i = existing.size() - 1; i >= 0 && i >= existing.size() - 2; i--) {
                String last = AuditTail.lastCompleteLine(existing.get(i));
                if (last != null && AuditChain.content(last) != null) {
                    end = new ChainEnd(AuditChain.claimedHash(last), seqOf(last));
                    break;
                }
            }
        }
        openCurrent();
        onDisk = end;
        return end;
    }

    /**
     * Writes the lines in order and flushes. On failure the file is closed and the exception thrown; the
     * caller keeps the lines and calls again. Lines that reached the disk in a failed attempt are skipped.
     */
    void write(List<AuditLine> lines) throws IOException {
        try {
            if (out == null) {
                open();
            }
            for (AuditLine line : lines.subList(firstNotOnDisk(lines), lines.size())) {
                if (fileBytes > 0 && fileBytes + line.bytes().length > maxFileBytes) {
                    rotate();
                }
                out.write(line.bytes());
                fileBytes += line.bytes().length;
            }
            // One flush per batch, not per record: the writer keeps up with bursts.
            out.flush();
            onDisk = null;
        } catch (IOException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    private int firstNotOnDisk(List<AuditLine> lines) {
        if (onDisk != null) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).hash().equals(onDisk.hash())) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    private void rotate() throws IOException {
        out.flush();
        channel.close();
        fileNumber++;
        openCurrent();
    }

    private void openCurrent() throws IOException {
        Path file = AuditFiles.file(directory, fileNumber);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        fileBytes = channel.size();
        out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
    }

    /** Drops the stream without flushing what it buffered: the next try starts from what the file holds. */
    private void abandon() {
        out = null;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already failing; the reopen will say what is wrong.
            }
        }
    }

    static long seqOf(String line) {
        try {
            JsonNode seq = JSON.readTree(AuditChain.content(line)).get("seq");
            return seq != null && seq.canConvertToLong() ? seq.asLong() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Takes the directory for this writer alone: two gateways continuing one chain from the same end fork it (two records
     * with one seq and prev), and the verifier can then no longer tell their records from tampering (review AC: a second
     * replica mounting the same volume, or a restart while the old process drains). A second writer is refused at start.
     */
    private void lockDirectory() throws IOException {
        if (lock != null) {
            return;
        }
        FileChannel candidate = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock taken;
        try {
            taken = candidate.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException held) {
            taken = null; // held by another log in this process
        } catch (IOException | RuntimeException e) {
            candidate.close();
            throw e;
        }
        if (taken == null) {
            candidate.close();
            throw new IOException("another gateway writes the audit log in " + directory + " (it holds " + LOCK_FILE
                    + "): give each gateway its own audit.directory");
        }
        lockChannel = candidate;
        lock = taken;
    }

    @Override
    public void close() throws IOException {
        try {
            if (out != null) {
                out.flush();
                channel.close();
                out = null;
            }
        } finally {
            if (lockChannel != null) {
                lockChannel.close(); // releases the lock
                lockChannel = null;
                lock = null;
            }
        }
    }
}
