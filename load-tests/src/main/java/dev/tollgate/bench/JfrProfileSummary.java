package dev.tollgate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns a JFR recording of the gateway under load into the tables of the report's profile section: where CPU
 * samples land by thread group, the hottest methods (self and inclusive), the gateway's own frames, and the
 * allocation sites by sampled weight. Reads the recording with the JDK's own {@code jdk.jfr.consumer} API.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.JfrProfileSummary RECORDING.jfr [OUT.md] [TOP]}
 */
public final class JfrProfileSummary {

    private static final String OWN_PACKAGE = "dev.tollgate.";

    private final Map<String, Long> threads = new HashMap<>();
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> inclusive = new HashMap<>();
    private final Map<String, Long> ownInclusive = new HashMap<>();
    private final Map<String, Long> allocationSites = new HashMap<>();
    private final Map<String, Long> allocatedTypes = new HashMap<>();
    private long samples;
    private long nativeSamples;
    private long allocatedBytes;

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrProfileSummary RECORDING.jfr [OUT.md] [TOP]");
            System.exit(2);
        }
        JfrProfileSummary summary = new JfrProfileSummary();
        summary.read(Path.of(args[0]));
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        if (args.length > 1) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(Path.of(args[1])), true, "UTF-8")) {
                summary.write(out, top);
            }
        } else {
            summary.write(System.out, top);
        }
    }

    void read(Path recording) throws IOException {
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    cpuSample(event);
                } else if (type.equals("jdk.NativeMethodSample")) {
                    nativeSamples++;
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    allocation(event);
                }
            }
        }
    }

    private void cpuSample(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
        threads.merge(threadGroup(thread), 1L, Long::sum);
        List<RecordedFrame> frames = stack.getFrames();
        self.merge(method(frames.get(0)), 1L, Long::sum);
        Set<String> seen = new HashSet<>();
        Set<String> ownSeen = new HashSet<>();
        for (RecordedFrame frame : frames) {
            String m = method(frame);
            if (seen.add(m)) {
                inclusive.merge(m, 1L, Long::sum);
            }
            if (m.startsWith(OWN_PACKAGE) && ownSeen.add(m)) {
                ownInclusive.merge(m, 1L, Long::sum);
            }
        }
    }

    private void allocation(RecordedEvent event) {
        long weight = event.getLong("weight");
        allocatedBytes += weight;
        String type = event.getClass("objectClass") == null ? "?" : event.getClass("objectClass").getName();
        allocatedTypes.merge(type, weight, Long::sum);
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null) {
            return;
        }
        // The allocation site as a reader wants it: the allocating frame, and the gateway's frame that led there.
        List<RecordedFrame> frames = stack.getFrames();
        String site = frames.isEmpty() ? "?" : method(frames.get(0));
        String own = frames.stream().map(JfrProfileSummary::method).filter(m -> m.startsWith(OWN_PACKAGE)).findFirst().orElse(null);
        allocationSites.merge(own == null || own.equals(site) ? site : site + "  <-  " + own, weight, Long::sum);
    }

    /** Event loops, the audit writer, span export, GC and JIT threads, each as one group. */
    static String threadGroup(String name) {
        if (name.startsWith("vert.x-eventloop")) {
            return "event loops";
        }
        if (name.startsWith("tollgate-audit")) {
            return "audit writer";
        }
        if (name.startsWith("BatchSpanProcessor") || name.startsWith("jdkhttp") || name.startsWith("HttpClient")) {
            return "span export (OTel batch processor, OTLP HTTP sender)";
        }
        return name.replaceAll("\\d+", "N");
    }

    /** Class and method; a lambda's generated class name (with its address) shortened to {@code $$Lambda}. */
    private static String method(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName().replaceAll("\\$\\$Lambda.*", "\\$\\$Lambda");
        return type + "." + frame.getMethod().getName();
    }

    void write(PrintStream out, int top) {
        out.printf("CPU samples: %,d (JFR execution samples of Java code, all threads); %,d samples of threads in native code"
                + " (system calls, mostly waiting in epoll/read/write, not counted below). Allocation: %,d MB sampled weight.%n%n",
                samples, nativeSamples, allocatedBytes / 1_000_000);
        table(out, "CPU by thread group", "thread group", threads, samples, top);
        table(out, "Hottest methods, self time", "method", self, samples, top);
        table(out, "Hottest methods, inclusive (the method or what it called)", "method", inclusive, samples, top);
        table(out, "The gateway's own frames, inclusive", "method", ownInclusive, samples, top);
        table(out, "Allocation sites by sampled bytes (allocating frame <- the gateway's frame that led there)", "site",
                allocationSites, allocatedBytes, top);
        table(out, "Allocated types by sampled bytes", "type", allocatedTypes, allocatedBytes, top);
    }

    private static void table(PrintStream out, String title, String what, Map<String, Long> counts, long total, int top) {
        out.printf("**%s**%n%n| share | %s |%n|---:|---|%n", title, what);
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            out.printf("| %.1f%% | `%s` |%n", total == 0 ? 0 : 100.0 * e.getValue() / total, e.getKey());
        }
        out.println();
    }
}
