package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper-evident audit log. Event loops hand records over through a bounded queue ({@link #offer}
 * never blocks); one writer thread chains, seals and appends them, rotating files by size. The chain
 * continues across files and across restarts (the last hash is read back at start).
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MILLIS = 200;
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;

    private final AuditConfig config;
    private final ArgumentRedactor redactor;
    private final BlockingQueue<ObjectNode> queue;
    private final Thread writerThread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;
    private String lastHash;
    private int sequence;
    private long fileBytes;
    private BufferedWriter out;

    private AuditLog(AuditConfig config, ArgumentRedactor redactor) throws IOException {
        this.config = config;
        this.redactor = redactor;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        Files.createDirectories(config.directory());
        resumeChain();
        this.writerThread = new Thread(this::drain, "tollgate-audit-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    public static AuditLog open(AuditConfig config) throws IOException {
        return new AuditLog(config, new ArgumentRedactor(List.of()));
    }

    /** @param redactor applied to arguments before they are digested or kept */
    public static AuditLog open(AuditConfig config, ArgumentRedactor redactor) throws IOException {
        return new AuditLog(config, redactor);
    }

    /** Queues a record for writing; false (and counted as dropped) when the queue is full. Never blocks. */
    public boolean offer(ObjectNode record) {
        if (queue.offer(record)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** True when new records would be dropped right now (used to refuse calls in fail-closed mode). */
    public boolean isFull() {
        return queue.remainingCapacity() == 0;
    }

    public int queued() {
        return queue.size();
    }

    public long written() {
        return written.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long failedWrites() {
        return failed.get();
    }

    public AuditConfig config() {
        return config;
    }

    private void drain() {
        List<ObjectNode> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                ObjectNode first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                for (ObjectNode record : batch) {
                    append(record);
                }
                // One flush per batch, not per record: the writer keeps up with bursts.
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                failed.addAndGet(batch.size());
                LOG.error("audit: could not write {} record(s)", batch.size(), e);
            } finally {
                batch.clear();
            }
        }
    }

    private void append(ObjectNode record) throws IOException {
        AuditRecords.finishArguments(record, config.arguments(), redactor);
        record.put("prev", lastHash);
        String line = AuditChain.seal(JSON.writeValueAsString(record));
        int bytes = line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (fileBytes > 0 && fileBytes + bytes > config.maxFileBytes()) {
            rotate();
        }
        out.write(line);
        out.write('\n');
        fileBytes += bytes;
        lastHash = AuditChain.claimedHash(line);
        written.incrementAndGet();
    }

    private void rotate() throws IOException {
        out.close();
        sequence++;
        openCurrent();
    }

    /** Continues the chain from the newest file's last record, or starts it. */
    private void resumeChain() throws IOException {
        List<Path> existing = AuditFiles.inOrder(config.directory());
        lastHash = AuditChain.GENESIS;
        sequence = 1;
        if (!existing.isEmpty()) {
            Path newest = existing.get(existing.size() - 1);
            sequence = AuditFiles.sequenceOf(newest);
            String last = lastLine(newest);
            if (last != null && AuditChain.content(last) != null) {
                lastHash = AuditChain.claimedHash(last);
            } else if (existing.size() > 1) {
                String previous = lastLine(existing.get(existing.size() - 2));
                lastHash = previous == null ? lastHash : AuditChain.claimedHash(previous);
            }
        }
        openCurrent();
    }

    private void openCurrent() throws IOException {
        Path file = AuditFiles.file(config.directory(), sequence);
        fileBytes = Files.exists(file) ? Files.size(file) : 0;
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String lastLine(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long end = raf.length();
            if (end == 0) {
                return null;
            }
            long pos = end - 1;
            raf.seek(pos);
            if (raf.read() == '\n') {
                pos--;
            }
            long lineEnd = pos + 1;
            while (pos >= 0) {
                raf.seek(pos);
                if (raf.read() == '\n') {
                    break;
                }
                pos--;
            }
            byte[] bytes = new byte[(int) (lineEnd - pos - 1)];
            raf.seek(pos + 1);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Writes everything queued, then stops the writer. */
    @Override
    public void close() {
        running = false;
        try {
            writerThread.join(CLOSE_TIMEOUT_MILLIS);
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("audit: close failed", e);
        }
    }
}
