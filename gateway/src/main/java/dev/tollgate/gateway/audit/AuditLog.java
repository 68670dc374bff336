package dev.tollgate.gateway.audit;

import dev.tollgate.gateway.config.AuditConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. Event loops hand records over through a bounded queue (nothing here
 * blocks them); one writer thread numbers, chains, seals and appends them, rotating files by size. The
 * chain and the sequence numbers continue across files and across restarts (read back at start).
 *
 * <p>Handing a record over costs the event loop no lock and no wake-up: the queue is lock-free and the
 * writer is never signalled. It takes whatever is queued, writes it as one batch, and when the queue is
 * empty sleeps {@link #LINGER_NANOS} before looking again. Waking the writer for every record (as a blocking
 * queue does whenever it was empty) made a context switch per call, on cores the event loops need; a
 * record now reaches the disk within a few milliseconds of its call instead of at once.
 *
 * <p>The queue holds {@code queue-capacity} records. Under {@code when-full: reject} a call is admitted only when
 * the records it can produce fit in the queue right now ({@link #admit}), and the records of an admitted call are
 * always queued ({@link #queueAdmitted}). A call's first record takes no room until it is queued: a call held open for
 * minutes (an SSE stream, {@code subscriptions/listen}, an approval) used to hold its room all that time, and
 * {@code queue-capacity} of them refused every other call with the queue empty (review AC). So the queue can go past
 * its capacity by one record per call in flight. A batch's other records hold their room from admission until they are
 * queued (review AF: batches admitted together against the same empty queue each queued all their records). Records
 * nobody admitted ({@link #offer}: a server's request on a stream) are dropped, and counted, when the queue is full.
 *
 * <p>A failed write (disk full, directory not writable) loses nothing: the writer keeps the records and retries with
 * back-off, and {@link #healthy()} turns false so fail-closed callers refuse new calls meanwhile. A current file removed
 * (or renamed away, replaced, cut) while open is no failed write: the records already written into it are gone with it.
 * The writer finds out at its next batch, reopens the file and goes on with the chain; the lost records are counted
 * ({@link #lostRecords()}), logged and described in a side file (see {@link AuditAppender}), and verify reports the gap.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    /** How long the writer sleeps when it found nothing to write: the longest a record waits to be picked up. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
    private static final long STOP_AFTER_INTERRUPT_MILLIS = 1_000;
    static final long RETRY_FIRST_MILLIS = 100;
    static final long RETRY_MAX_MILLIS = 5_000;

    private final AuditConfig config;
    private final int capacity;
    private final ConcurrentLinkedQueue<AuditEntry> queue = new ConcurrentLinkedQueue<>();
    /** Counted apart from the queue (its size() walks every node); what admission and {@link #offer} compare with the capacity. */
    private final AtomicLong queuedCount = new AtomicLong();
    /** Room held for the records of admitted batches beyond their first, until they are queued. */
    private final AtomicLong heldForBatches = new AtomicLong();
    private final AuditAppender appender;
    private final Thread writerThread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failedRecords = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicLong lostRecords = new AtomicLong();
    private final AtomicLong lastWrittenSeq = new AtomicLong();
    /** The hash of the record at {@link #lastWrittenSeq} (the chain end on disk): the anchor logged at close. */
    private volatile String lastWrittenHash;
    private volatile boolean running = true;
    private volatile boolean healthy = true;
    /** Tests only ({@link #holdWriter}): the writer takes nothing while set, as when the disk is slower than the calls. */
    private volatile boolean writerHeld;
    /** Writer thread only: the chain as sealed so far (it may run ahead of the disk while writes fail). */
    private String lastHash;
    private long lastSeq;
    /** Writer thread only: what it brings to each record (its own time formatter among them). */
    private final AuditWriting writing;

    private AuditLog(AuditConfig config) throws IOException {
        this.config = config;
        this.writing = new AuditWriting(config.arguments(), new InstantText(), config.keyFile() == null ? null : AuditKey.read(config.keyFile()));
        this.capacity = config.queueCapacity();
        this.appender = new AuditAppender(config.directory(), config.maxFileBytes(), Clock.systemUTC(), this::fileLost);
        AuditAppender.ChainEnd end;
        try {
            end = appender.open();
        } catch (IOException | RuntimeException e) {
            // Release the directory (its lock, this process's hold on it) so that a start tried again can take it.
            try {
                appender.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        lastHash = end.hash();
        lastSeq = end.seq();
        lastWrittenSeq.set(end.seq());
        lastWrittenHash = end.hash();
        // The chain goes on from whatever the files end with: nothing here can tell a tail removed or sealed again while the
        // gateway was down (review AH). The previous run's "closed at" line, kept off this host, can: compare, or verify
        // with --anchor.
        LOG.info("audit chain resumes after seq {}, hash {} (the last record in {}; the previous run logged where it closed)",
                end.seq(), end.hash(), config.directory());
        this.writerThread = new Thread(this::drain, "tollgate-audit-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    public static AuditLog open(AuditConfig config) throws IOException {
        return new AuditLog(config);
    }

    /** Queues a record for writing; false (and counted as dropped) when the queue is full. Never blocks. */
    public boolean offer(AuditEntry record) {
        if (!running) {
            // After close nothing writes it: counted, not queued to be lost silently.
            dropped.incrementAndGet();
            return false;
        }
        for (long queued = queuedCount.get(); ; queued = queuedCount.get()) {
            if (queued + heldForBatches.get() >= capacity) {
                dropped.incrementAndGet();
                return false;
            }
            if (queuedCount.compareAndSet(queued, queued + 1)) {
                break;
            }
        }
        queue.add(record);
        return true;
    }

    /**
     * What an admitted call may queue: its first record whatever the queue holds then, and {@code held} more on room
     * held for them since admission.
     */
    public static final class Admission {
        private int held;

        private Admission(int held) {
            this.held = held;
        }
    }

    private static final Admission ONE = new Admission(0);

    /**
     * Admits a call that will produce up to {@code records} records when they fit in the queue right now (null when they
     * do not): its first takes no room until queued, the others hold theirs. Never blocks.
     */
    public Admission admit(int records) {
        if (records <= 0) {
            return ONE; // nothing to record needs no room (as before admission checked room)
        }
        int held = records - 1;
        while (true) {
            long heldNow = heldForBatches.get();
            if (queuedCount.get() + heldNow + records > capacity) {
                return null;
            }
            if (held == 0) {
                return ONE;
            }
            if (heldForBatches.compareAndSet(heldNow, heldNow + held)) {
                return new Admission(held);
            }
        }
    }

    /**
     * Queues the records of an admitted call, never refused: the first whatever the queue holds, the next ones on the room
     * held for them, any beyond the admission only if they fit ({@link #offer}); room held and not used is given back.
     */
    public void queueAdmitted(Admission admission, List<? extends AuditEntry> records) {
        for (int i = 0; i < records.size(); i++) {
            AuditEntry record = records.get(i);
            if (i == 0 || admission.held > 0) {
                if (i > 0) {
                    admission.held--;
                    heldForBatches.decrementAndGet();
                }
                enqueueAdmitted(record);
            } else {
                offer(record);
            }
        }
        release(admission);
    }

    /** Gives back the room an admitted call held and will not use (it ended without all its records). */
    public void release(Admission admission) {
        if (admission.held > 0) {
            heldForBatches.addAndGet(-admission.held);
            admission.held = 0;
        }
    }

    private void enqueueAdmitted(AuditEntry record) {
        if (!running) {
            dropped.incrementAndGet();
            return;
        }
        queuedCount.incrementAndGet();
        queue.add(record);
    }

    /** True when a new record would be dropped right now (used to refuse calls in fail-closed mode). */
    public boolean isFull() {
        return queuedCount.get() + heldForBatches.get() >= capacity;
    }

    /** False while writes fail (the writer holds its records and retries): fail-closed callers refuse calls. */
    public boolean healthy() {
        return healthy;
    }

    public int queued() {
        return (int) queuedCount.get();
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Write attempts that failed (their records were kept and retried). */
    public long failedWrites() {
        return failedWrites.get();
    }

    /**
     * Records lost with a file removed, renamed away, replaced or cut while the writer had it open: they had been written
     * (and counted in {@link #written()}), and the directory no longer holds them.
     */
    public long lostRecords() {
        return lostRecords.get();
    }

    /** Writer thread only: the current file vanished with these records; the appender has reopened it. */
    private void fileLost(java.nio.file.Path file, String how, long firstSeq, long lastSeq, long records, java.nio.file.Path note) {
        lostRecords.addAndGet(records);
        LOG.error("audit: {} was {} while the gateway wrote it: {} record(s) (seq {}..{}) written into it are lost; writing to {} "
                + "again and continuing the chain, so `audit verify` reports the gap at the next record{}", file, how, records, firstSeq,
                lastSeq, file.getFileName(), note == null ? "" : " (described in " + note.getFileName() + ")");
    }

    /** Records lost because they could not be serialized at all. */
    public long failedRecords() {
        return failedRecords.get();
    }

    /** The seq of the last record on disk: what {@code tollgate audit verify --expect-seq} checks a log against. */
    public long lastWrittenSeq() {
        return lastWrittenSeq.get();
    }

    /** The hash (or keyed seal) of the last record on disk, with {@link #lastWrittenSeq} an anchor for {@code audit verify --anchor}. */
    public String lastWrittenHash() {
        return lastWrittenHash;
    }

    public AuditConfig config() {
        return config;
    }

    private void drain() {
        try {
            drainUntilClosed();
        } catch (RuntimeException | Error e) {
            // The writer thread is ending though the log is open: calls must not go on being admitted against a queue
            // nobody drains (review AC: healthy stayed true, when-full: reject admitted calls whose records were lost).
            healthy = false;
            LOG.error("audit: the writer stopped unexpectedly; {} record(s) not written, calls refused under when-full: reject",
                    queue.size(), e);
            throw e;
        }
    }

    private void drainUntilClosed() {
        List<AuditEntry> taken = new ArrayList<>();
        List<AuditLine> pending = new ArrayList<>();
        long retryMillis = RETRY_FIRST_MILLIS;
        while (running || !queue.isEmpty() || !pending.isEmpty()) {
            try {
                // New records are taken only once the previous batch is on disk: order is kept, memory bounded.
                if (pending.isEmpty() && !take(taken, pending)) {
                    continue;
                }
                appender.write(pending);
                written.addAndGet(pending.size());
                lastWrittenHash = pending.get(pending.size() - 1).hash();
                lastWrittenSeq.set(pending.get(pending.size() - 1).seq());
                pending.clear();
                if (!healthy) {
                    LOG.info("audit: writing again after {} failed attempt(s) in all", failedWrites.get());
                    healthy = true;
                }
                retryMillis = RETRY_FIRST_MILLIS;
            } catch (IOException | RuntimeException e) {
                // Anything but an interrupt is retried: a dead writer thread would lose records without a trace.
                failedWrites.incrementAndGet();
                if (healthy) {
                    // Logged once per episode, not once per retry.
                    LOG.error("audit: cannot write {} record(s) to {}; keeping them and retrying every {}-{} ms "
                            + "(when-full: reject refuses calls meanwhile)", pending.size(), config.directory(), RETRY_FIRST_MILLIS, RETRY_MAX_MILLIS, e);
                    healthy = false;
                }
                if (!pause(retryMillis)) {
                    LOG.error("audit: stopped while writes were failing; {} record(s) not written", pending.size() + queue.size());
                    return;
                }
                retryMillis = Math.min(retryMillis * 2, RETRY_MAX_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Takes what is queued, frees its room and seals it into lines; false (after lingering) when nothing came. */
    private boolean take(List<AuditEntry> taken, List<AuditLine> pending) throws InterruptedException {
        for (AuditEntry record = writerHeld ? null : queue.poll(); record != null; record = queue.poll()) {
            taken.add(record);
        }
        if (taken.isEmpty()) {
            LockSupport.parkNanos(this, LINGER_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return false;
        }
        queuedCount.addAndGet(-taken.size());
        for (AuditEntry record : taken) {
            AuditLine line = seal(record);
            if (line != null) {
                pending.add(line);
            }
        }
        taken.clear();
        return !pending.isEmpty();
    }

    /** One record into its line, or null (counted, logged) when it cannot be serialized: it never blocks the others. */
    private AuditLine seal(AuditEntry record) {
        try {
            AuditLine line = AuditLine.seal(record, lastSeq + 1, lastHash, writing);
            lastSeq = line.seq();
            lastHash = line.hash();
            return line;
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (an OutOfMemoryError serializing one huge record, a StackOverflowError): that record is lost and
            // counted, the ones after it are written (review AC: it ended the writer thread, and nothing noticed).
            failedRecords.incrementAndGet();
            LOG.error("audit: a record could not be serialized and is lost (method {})", record.method(), e);
            return null;
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Tests only: the writer takes nothing until the returned handle is closed, so records stay queued as they do when
     * the disk is slower than the calls; the log stays healthy. What a full queue does can then be shown for certain.
     */
    AutoCloseable holdWriter() {
        writerHeld = true;
        return () -> {
            writerHeld = false;
            LockSupport.unpark(writerThread);
        };
    }

    /** Writes everything queued, then stops the writer (giving up after a while if writes keep failing). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writerThread);
        try {
            writerThread.join(CLOSE_TIMEOUT_MILLIS);
            if (writerThread.isAlive()) {
                // Still retrying a failed write: give up rather than hold the shutdown (the writer logs what is lost).
                writerThread.interrupt();
                writerThread.join(STOP_AFTER_INTERRUPT_MILLIS);
            }
            appender.close();
            LOG.info("audit chain closed at seq {}, hash {}: keep this line off this host; `tollgate audit verify --anchor {}:{}` "
                    + "then shows any record up to it removed or sealed again, e.g. while the gateway is down to rotate its key",
                    lastWrittenSeq.get(), lastWrittenHash, lastWrittenSeq.get(), lastWrittenHash);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("audit: close failed", e);
        }
    }
}
