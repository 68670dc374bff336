package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.audit.InstantText;
import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.Identity;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One line per call, as nginx and Envoy write: route, method, tool, caller, decision, status, upstream and total time,
 * trace id, and the error when the gateway answered itself; JSON or text as the logs are ({@code TOLLGATE_LOG_FORMAT}).
 *
 * <p>Written by a thread of its own, in batches, to stdout, like the audit log: an event loop only queues a small record
 * (no lock, no wake-up, no formatting). Through logback (a logging event, an encoder, a lock and a write per line) the
 * line cost a fifth of the gateway's throughput on the load harness; batched, one write carries hundreds of lines.
 * Past {@link #MAX_QUEUED} waiting lines new ones are dropped and counted, never waited for: the audit log, not this,
 * is the record that keeps every call.
 */
public final class AccessLog {

    static final int MAX_QUEUED = 16_384;
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What one line says; formatted on the writer thread. */
    record Line(long epochMillis, String route, String method, String tool, String caller, String decision, int status,
                long upstreamNanos, long totalNanos, String traceId, String error) {
    }

    /**
     * To stdout, unless {@code -Dtollgate.access-log=discard} (the test build: thousands of calls would bury its output;
     * lines are still formatted, so the tests exercise everything but the write).
     */
    private static volatile AccessLog instance = new AccessLog("discard".equals(System.getProperty("tollgate.access-log"))
            ? OutputStream.nullOutputStream() : new FileOutputStream(FileDescriptor.out), "TEXT".equals(System.getProperty("TOLLGATE_LOG_FORMAT")));

    private final ConcurrentLinkedQueue<Line> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final OutputStream out;
    private final boolean text;
    private Thread writer;

    AccessLog(OutputStream out, boolean text) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.text = text;
    }

    static AccessLog instance() {
        return instance;
    }

    /** Replaces where lines go (tests); returns the previous log. */
    static AccessLog swap(AccessLog replacement) {
        AccessLog previous = instance;
        instance = replacement;
        return previous;
    }

    static void write(Exchange exchange, String method, String target, String decision, int status, long totalNanos) {
        if (!exchange.snapshot().config().telemetry().accessLog()) {
            return;
        }
        // The method and the tool are the caller's text: read as the audit record reads them (review CG), one cached lookup each.
        var policy = exchange.policy();
        instance.offer(new Line(System.currentTimeMillis(), exchange.route().route().name(), WrittenNames.of(method, policy),
                WrittenNames.of(target, policy), caller(exchange.identity()),
                decision, status, exchange.upstreamNanos(), totalNanos, exchange.trace() == null ? null : exchange.trace().traceId(),
                exchange.errorType()));
    }

    /** Queues a line; false (and counted) when too many are waiting. Never blocks. */
    boolean offer(Line line) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.add(line);
        startWriter();
        return true;
    }

    long dropped() {
        return dropped.get();
    }

    /** Lines the process's access log dropped (queue full, or stdout gone): {@code tollgate_access_log_dropped_total}. */
    public static long droppedLines() {
        return instance.dropped();
    }

    private void startWriter() {
        if (writer == null) {
            synchronized (this) {
                if (writer == null) {
                    Thread t = new Thread(this::drainForever, "tollgate-access-log");
                    t.setDaemon(true);
                    t.start();
                    writer = t;
                }
            }
        }
    }

    private void drainForever() {
        StringBuilder batch = new StringBuilder(1 << 16);
        while (true) {
            if (!drain(batch)) {
                LockSupport.parkNanos(LINGER_NANOS);
            }
        }
    }

    /** Writes whatever is queued as one batch; false when there was nothing. */
    boolean drain(StringBuilder batch) {
        batch.setLength(0);
        int lines = 0;
        for (Line line = queue.poll(); line != null; line = queue.poll()) {
            queued.decrementAndGet();
            format(line, batch);
            lines++;
        }
        if (batch.length() == 0) {
            return false;
        }
        try {
            out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            dropped.addAndGet(lines); // stdout is gone (a closed pipe): nothing to tell it with but the count
        }
        return true;
    }

    /** Writer thread only: the lines' times as {@code Instant.toString} writes them. */
    private final InstantText times = new InstantText();

    /** {@code Instant.ofEpochMilli(epochMillis).toString()}. */
    private void appendTime(long epochMillis, StringBuilder b) {
        times.append(Math.floorDiv(epochMillis, 1000), (int) Math.floorMod(epochMillis, 1000) * 1_000_000, b);
    }

    void format(Line l, StringBuilder b) {
        if (text) {
            appendTime(l.epochMillis(), b);
            b.append(" INFO  tollgate.access - route=").append(or(l.route())).append(" method=").append(or(l.method()))
                    .append(" tool=").append(or(l.tool())).append(" caller=").append(or(l.caller())).append(" decision=").append(or(l.decision()))
                    .append(" status=").append(l.status()).append(" upstream_ms=").append(millis(l.upstreamNanos()))
                    .append(" total_ms=").append(millis(l.totalNanos())).append(" trace_id=").append(or(l.traceId()))
                    .append(" error=").append(or(l.error())).append('\n');
            return;
        }
        b.append("{\"time\":\"");
        appendTime(l.epochMillis(), b);
        b.append("\",\"level\":\"INFO\",\"logger\":\"tollgate.access\"");
        field(b, "route", l.route());
        field(b, "method", l.method());
        field(b, "tool", l.tool());
        field(b, "caller", l.caller());
        field(b, "decision", l.decision());
        b.append(",\"status\":").append(l.status());
        b.append(",\"upstream_ms\":").append(millis(l.upstreamNanos())).append(",\"total_ms\":").append(millis(l.totalNanos()));
        field(b, "trace_id", l.traceId());
        field(b, "error", l.error());
        b.append("}\n");
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(",\"").append(name).append("\":\"");
        if (!needsEscaping(value)) {
            b.append(value).append('"'); // the common case: one copy, not a character at a time
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (LogText.unsafe(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    private static boolean needsEscaping(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || LogText.unsafe(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Text lines keep one token per field: what a client chose (a tool name, a JSON-RPC method) cannot add fields or
     * lines (review revJ: a method holding newlines wrote a forged access line).
     */
    private static String or(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder clean = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            clean.append(c == ' ' || c == '=' || LogText.unsafe(c) ? '_' : c);
        }
        return clean.toString();
    }

    /** Who called, as briefly as the identity allows: the AXID's tenant/agent/run, else the OAuth subject, else the SPIFFE ID. */
    static String caller(Identity who) {
        if (who.tenant() != null || who.agent() != null) {
            return who.tenant() + "/" + who.agent() + (who.run() == null ? "" : "/" + who.run());
        }
        if (who.claims().get("oauth_sub") instanceof String subject) {
            return "oauth:" + subject;
        }
        return who.spiffeId();
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
