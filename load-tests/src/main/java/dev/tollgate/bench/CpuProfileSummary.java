package dev.tollgate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an async-profiler CPU profile (collapsed stacks, one sample per millisecond of CPU time) of the gateway under
 * load into microseconds of CPU per call: by thread group, by the layer the sampled frame belongs to (kernel, JVM,
 * Netty, Vert.x, the JDK, Jackson, OpenTelemetry, the gateway), the gateway's own frames inclusive and the hottest
 * frames. Unlike JFR's execution samples, which count a thread sampled in Java code whether or not it is on a core
 * and leave out native code and the kernel, every sample here is CPU time actually spent, so the columns add up to
 * what {@code /proc} reports for the process.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.CpuProfileSummary PROFILE.collapsed CALLS [OUT.md] [TOP]}
 */
public final class CpuProfileSummary {

    private static final String OWN_PACKAGE = "dev/tollgate/";
    private static final String KERNEL = "kernel (TCP/IP stack, system calls, interrupts)";
    /** async-profiler's interval: each sample stands for this much CPU time. */
    private static final double SAMPLE_MICROS = 1000.0;
    private static final java.util.regex.Pattern LAMBDA = java.util.regex.Pattern.compile("\\$\\$Lambda\\$[0-9]+\\.0x[0-9a-f]+");

    private final double calls;
    private long samples;
    private final Map<String, Long> threads = new HashMap<>();
    private final Map<String, Long> layers = new HashMap<>();
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> ownInclusive = new HashMap<>();

    CpuProfileSummary(double calls) {
        this.calls = calls;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CpuProfileSummary PROFILE.collapsed CALLS [OUT.md] [TOP]");
            System.exit(2);
        }
        CpuProfileSummary summary = new CpuProfileSummary(Double.parseDouble(args[1]));
        try (var lines = Files.lines(Path.of(args[0]))) {
            lines.forEach(summary::add);
        }
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        if (args.length > 2) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(Path.of(args[2])), true, "UTF-8")) {
                summary.write(out, top);
            }
        } else {
            summary.write(System.out, top);
        }
    }

    /** One collapsed line: {@code [thread tid=N];frame;frame;... COUNT}, outermost frame first. */
    void add(String line) {
        int space = line.lastIndexOf(' ');
        if (space < 0) {
            return;
        }
        long count = Long.parseLong(line.substring(space + 1).trim());
        // A lambda's generated class carries its address, different in every JVM: shortened to $$Lambda.
        List<String> frames = List.of(LAMBDA.matcher(line.substring(0, space)).replaceAll("\\$\\$Lambda").split(";"));
        samples += count;
        String first = frames.get(0);
        String thread = first.startsWith("[") ? first.substring(1, first.indexOf(" tid=") > 0 ? first.indexOf(" tid=") : first.length() - 1) : "?";
        threads.merge(threadGroup(thread), count, Long::sum);
        String leaf = frames.get(frames.size() - 1);
        layers.merge(layer(leaf), count, Long::sum);
        self.merge(leaf, count, Long::sum);
        Set<String> seen = new HashSet<>();
        for (String frame : frames) {
            if (frame.startsWith(OWN_PACKAGE) && seen.add(frame)) {
                ownInclusive.merge(frame, count, Long::sum);
            }
        }
    }

    /** The JVM's own threads by what they do (their OS names are cut at 15 characters), the rest as JFR groups them. */
    static String threadGroup(String name) {
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT compiler (C1, C2)";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return "GC and VM operations";
        }
        return JfrProfileSummary.threadGroup(name);
    }

    /** Where the sampled frame's code comes from. */
    static String layer(String frame) {
        if (frame.endsWith("_[k]")) {
            return KERNEL;
        }
        if (frame.startsWith("io/netty/")) {
            return "Netty";
        }
        if (frame.startsWith("io/vertx/")) {
            return "Vert.x";
        }
        if (frame.startsWith(OWN_PACKAGE)) {
            return "Tollgate (self time)";
        }
        if (frame.startsWith("com/fasterxml/jackson/")) {
            return "Jackson";
        }
        if (frame.startsWith("io/opentelemetry/")) {
            return "OpenTelemetry SDK and exporter";
        }
        if (frame.startsWith("java/") || frame.startsWith("javax/") || frame.startsWith("jdk/") || frame.startsWith("sun/")) {
            return "JDK classes";
        }
        if (frame.contains("/")) {
            return "other libraries";
        }
        return "native: libc, JVM (GC, JIT, runtime), stubs";
    }

    void write(PrintStream out, int top) {
        out.printf("CPU time: %.1f us per call over %,.0f calls (async-profiler, one sample per ms of CPU, %,d samples; kernel frames included)%n%n",
                micros(samples), calls, samples);
        if (!layers.containsKey(KERNEL)) {
            // async-profiler falls back to a timer without perf_events, and drops kernel frames without kallsyms.
            out.println("**No kernel frames in this profile**: perf_events or kernel symbols were not available, so the kernel's share "
                    + "is missing and each sample may stand for more than a millisecond (see the gateway's log for async-profiler's warnings).");
            out.println();
        }
        table(out, "CPU per call by thread group", "thread group", threads, Integer.MAX_VALUE);
        table(out, "CPU per call by the layer of the sampled frame", "layer", layers, Integer.MAX_VALUE);
        table(out, "The gateway's own frames, inclusive (the frame and what it called)", "frame", ownInclusive, top);
        table(out, "Hottest frames, self time", "frame", self, top);
    }

    private void table(PrintStream out, String title, String what, Map<String, Long> counts, int top) {
        out.printf("**%s**%n%n| us/call | share | %s |%n|---:|---:|---|%n", title, what);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.printf("| %.2f | %.1f%% | `%s` |%n", micros(e.getValue()), 100.0 * e.getValue() / samples, e.getKey()));
        out.println();
    }

    private double micros(long count) {
        return count * SAMPLE_MICROS / calls;
    }
}
