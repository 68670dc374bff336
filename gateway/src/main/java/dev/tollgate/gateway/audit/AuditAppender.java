package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Appends sealed lines to the audit files, rotating by size, as bytes: there is no character encoder
 * whose state a bad record could poison. After a failed write the file is closed and, on the next try,
 * reopened as at start (a partial last line repaired), and the lines already on disk are not written twice.
 * Used by the writer thread only.
 *
 * <p>A current file removed, renamed away, replaced or cut while open is no failed write: the channel goes on writing to
 * the old inode and every write succeeds (review BD). So before each batch (one {@code stat} per batch, not per record)
 * the path is compared with the open file (its {@code fileKey}, and a size not below what was written to it). When it no
 * longer names that file, the records written into it (their seqs, as far as known) are reported to the
 * {@link LossListener} and in a side file {@code <name>.lost-<UTC time>}, and the file is reopened as at start; the chain
 * goes on from the last record sealed, so {@code audit verify} reports the gap (prev and seq) where the records are
 * missing. A change after the last batch is found at close.
 */
final class AuditAppender implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER_BYTES = 64 * 1024;

    /** Where the chain stands on disk: the last complete record's hash and seq (0 before the first, or for a legacy log). */
    record ChainEnd(String hash, long seq) {
        static final ChainEnd GENESIS = new ChainEnd(AuditChain.GENESIS, 0);
    }

    /** Told when the current file turned out removed, replaced or cut: its records from firstSeq to lastSeq are gone from it. */
    interface LossListener {
        /**
         * @param how      {@code removed} (or renamed away), {@code replaced} (the path names another file) or {@code cut}
         *                 (shorter than what was written to it)
         * @param firstSeq the first record's seq in the file, 0 when unknown
         * @param lastSeq  the last record's seq written to it, 0 when unknown
         * @param records  how many records that is (those this writer wrote to it, at least)
         * @param note     the side file describing the loss, null when it could not be written
         */
        void lost(Path file, String how, long firstSeq, long lastSeq, long records, Path note);
    }

    private static final DateTimeFormatter SIDE_FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * The lock files this JVM's writers hold, by real path and by file key: a POSIX record lock belongs to the process, and
     * closing any descriptor of the file drops it, so a second open of a held directory is refused before any channel on its
     * lock file is opened (review BD: the refused open closed its own channel and released the first writer's lock).
     */
    private static final Set<Object> HELD = new HashSet<>();
    /** Channels on a lock file that some other code in this JVM locked: closing them would drop that lock, so they stay open. */
    private static final List<FileChannel> NOT_CLOSED = new ArrayList<>();

    private final Path directory;
    private final long maxFileBytes;
    private final Clock clock;
    private final LossListener losses;
    private long fileNumber = 1;
    private long fileBytes;
    /** The current file: its path, its file key when opened (null where the file system has none), its records' seqs. */
    private Path currentFile;
    private Object currentKey;
    private long fileFirstSeq;
    private long fileLastSeq;
    private long fileRecordsWritten;
    private FileChannel channel;
    private OutputStream out;
    /** The chain end read back at the last (re)open: lines up to it are on disk already. */
    private ChainEnd onDisk;
    /** This writer's hold on the directory ({@link #LOCK_FILE}), taken at the first open, released at close. */
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;
    /** What this writer put in {@link #HELD}. */
    private final List<Object> heldKeys = new ArrayList<>();

    /** The file whose lock says which gateway writes the directory's chain. */
    static final String LOCK_FILE = ".tollgate-audit.lock";

    AuditAppender(Path directory, long maxFileBytes, Clock clock) {
        this(directory, maxFileBytes, clock, (file, how, firstSeq, lastSeq, records, note) -> {
        });
    }

    AuditAppender(Path directory, long maxFileBytes, Clock clock, LossListener losses) {
        this.directory = directory;
        this.maxFileBytes = maxFileBytes;
        this.clock = clock;
        this.losses = losses;
    }

    /** Opens the newest file (repairing a partial tail) and returns where its chain ends. */
    ChainEnd open() throws IOException {
        Files.createDirectories(directory);
        lockDirectory();
        List<Path> existing = AuditFiles.inOrder(directory);
        ChainEnd end = ChainEnd.GENESIS;
        if (!existing.isEmpty()) {
            Path newest = existing.get(existing.size() - 1);
            // Never back to an older number (the current file removed: it is made again, after the ones before it).
            fileNumber = Math.max(fileNumber, AuditFiles.sequenceOf(newest));
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
            } else {
                String how = currentFileChanged();
                if (how != null) {
                    Loss loss = loss(how);
                    abandon();
                    report(loss); // first: should the reopen fail (and be retried), the loss is told all the same
                    open(); // as at start: the directory and the file made again, a partial tail (a cut file) repaired
                }
            }
            for (AuditLine line : lines.subList(firstNotOnDisk(lines), lines.size())) {
                if (fileBytes > 0 && fileBytes + line.bytes().length > maxFileBytes) {
                    rotate();
                }
                out.write(line.bytes());
                fileBytes += line.bytes().length;
                if (fileFirstSeq == 0) {
                    fileFirstSeq = line.seq();
                }
                fileLastSeq = line.seq();
                fileRecordsWritten++;
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
        currentFile = file;
        // The file just opened: a replacement between the open and this stat would go unnoticed, a window of microseconds.
        currentKey = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        fileRecordsWritten = 0;
        fileFirstSeq = 0;
        fileLastSeq = 0;
        if (fileBytes > 0) {
            // Once per open, not per record: what the file held already, should it go missing.
            fileFirstSeq = seqOf(firstLine(file));
            String last = AuditTail.lastCompleteLine(file);
            fileLastSeq = last == null ? 0 : seqOf(last);
        }
    }

    private static String firstLine(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return reader.readLine();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Null while the path still names the file open for writing; else how it changed: removed (or renamed away), replaced
     * by another file, or cut shorter than what was written to it. One stat.
     */
    private String currentFileChanged() throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(currentFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return "removed";
        }
        if (currentKey != null && !currentKey.equals(now.fileKey())) {
            return "replaced";
        }
        if (!now.isRegularFile()) {
            return "replaced";
        }
        return now.size() < fileBytes ? "cut" : null;
    }

    private record Loss(Path file, String how, long firstSeq, long lastSeq, long records) {
    }

    /** What the current file held, by seq: read before the file is reopened. */
    private Loss loss(String how) {
        long first = fileFirstSeq;
        long last = fileLastSeq;
        long records = first > 0 && last >= first ? last - first + 1 : fileRecordsWritten;
        if (first == 0 && last > 0 && records > 0) {
            first = last - records + 1;
        }
        return new Loss(currentFile, how, first, last, records);
    }

    /** Tells the listener, and leaves a side note next to the file, which records the vanished file held. */
    private void report(Loss loss) {
        Path file = loss.file();
        String how = loss.how();
        long first = loss.firstSeq();
        long last = loss.lastSeq();
        long records = loss.records();
        Path note = file.resolveSibling(file.getFileName() + ".lost-" + SIDE_FILE_TIME.format(clock.instant()));
        try {
            Files.createDirectories(directory); // the whole directory may have gone
            for (int n = 1; Files.exists(note, LinkOption.NOFOLLOW_LINKS); n++) {
                note = file.resolveSibling(file.getFileName() + ".lost-" + SIDE_FILE_TIME.format(clock.instant()) + "-" + n);
            }
            String text = JSON.createObjectNode().put("time", clock.instant().toString()).put("file", file.getFileName().toString())
                    .put("how", how).put("first_seq", first).put("last_seq", last).put("records", records).toString() + "\n";
            Files.writeString(note, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            note = null; // the listener still logs and counts it
        }
        losses.lost(file, how, first, last, records, note);
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
        if (line == null || AuditChain.content(line) == null) {
            return 0;
        }
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
            lockAgainIfLockFileGone();
            return;
        }
        Path lockFile = directory.toRealPath().resolve(LOCK_FILE);
        synchronized (HELD) {
            Object inode = fileKey(lockFile);
            if (HELD.contains(lockFile) || inode != null && HELD.contains(inode)) {
                // Refused without opening the lock file: closing a descriptor of it would drop this process's lock.
                throw new IOException("another audit log in this process writes " + directory + " (it holds " + LOCK_FILE
                        + "): give each gateway its own audit.directory");
            }
            Locked taken = lock(lockFile, "another gateway writes the audit log in " + directory + " (it holds " + LOCK_FILE
                    + "): give each gateway its own audit.directory");
            lockChannel = taken.channel();
            lock = taken.lock();
            heldKeys.add(lockFile);
            Object key = fileKey(lockFile);
            if (key != null) {
                heldKeys.add(key);
            }
            HELD.addAll(heldKeys);
        }
    }

    private record Locked(FileChannel channel, java.nio.channels.FileLock lock) {
    }

    /** Opens the lock file and takes its lock; refused with {@code takenElsewhere} when another process holds it. */
    private Locked lock(Path lockFile, String takenElsewhere) throws IOException {
        FileChannel candidate = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock taken;
        try {
            taken = candidate.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException held) {
            // Locked in this process by something other than an audit log (or through a path and inode not seen here):
            // closing the candidate would release that lock, so it stays open.
            NOT_CLOSED.add(candidate);
            throw new IOException("the audit directory's " + LOCK_FILE + " is locked elsewhere in this process: " + directory);
        } catch (IOException | RuntimeException e) {
            candidate.close();
            throw e;
        }
        if (taken == null) {
            candidate.close(); // this process held no lock on it: closing drops nothing
            throw new IOException(takenElsewhere);
        }
        return new Locked(candidate, taken);
    }

    /**
     * At a reopen (after a failed write, or a current file gone): when the lock file is no longer the one locked (the whole
     * directory removed and made again), nothing keeps another gateway out any more, so the new lock file is locked. If
     * another gateway took it meanwhile, the reopen fails and is retried (the log unhealthy: two writers would fork the chain).
     */
    private void lockAgainIfLockFileGone() throws IOException {
        Path lockFile = (Path) heldKeys.get(0);
        Object locked = heldKeys.size() > 1 ? heldKeys.get(1) : null;
        Object now = fileKey(lockFile);
        if (locked == null || locked.equals(now)) {
            return;
        }
        synchronized (HELD) {
            if (now != null && HELD.contains(now)) {
                throw new IOException("another audit log in this process took " + directory + " after its lock file was removed");
            }
            Locked taken = lock(lockFile, "the audit directory " + directory + " was removed while this gateway wrote it, and another "
                    + "gateway has taken it since (it holds " + LOCK_FILE + "): not writing, as two writers would fork the chain");
            FileChannel old = lockChannel;
            lockChannel = taken.channel();
            lock = taken.lock();
            HELD.remove(locked);
            heldKeys.remove(locked);
            Object key = fileKey(lockFile);
            if (key != null) {
                heldKeys.add(key);
                HELD.add(key);
            }
            old.close(); // the lock on the removed file, another inode: the new lock stays
        }
    }

    /** The file's key (device and inode), null when it does not exist or the file system has none. */
    private static Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (out != null) {
                out.flush();
                Loss loss = null;
                try {
                    String how = currentFileChanged(); // the last batch's file: no batch after it finds out
                    loss = how == null ? null : loss(how);
                } catch (IOException e) {
                    // Nothing to tell then; closing matters more.
                }
                channel.close();
                out = null;
                if (loss != null) {
                    report(loss);
                }
            }
        } finally {
            if (lockChannel != null) {
                try {
                    lockChannel.close(); // releases the lock
                } finally {
                    lockChannel = null;
                    lock = null;
                    synchronized (HELD) {
                        HELD.removeAll(heldKeys);
                    }
                    heldKeys.clear();
                }
            }
        }
    }
}
