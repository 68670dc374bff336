package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time a process has used, in all and in its JIT compiler threads, read from {@code /proc} (Linux): how much of a
 * cold JVM's work during a burst is compiling rather than serving. Clock ticks are taken as 100 per second, the value
 * of every Linux build on x86-64 and arm64 ({@code getconf CLK_TCK}).
 *
 * @param totalTicks     user + system ticks of the whole process, threads that have ended included
 * @param compilerTicks  user + system ticks of the live HotSpot compiler threads (C1, C2)
 */
record ProcessCpu(long totalTicks, long compilerTicks) {

    private static final double TICKS_PER_SECOND = 100.0;

    static ProcessCpu of(long pid) {
        if (pid <= 0) {
            return new ProcessCpu(0, 0);
        }
        Path proc = Path.of("/proc/" + pid);
        long compiler = 0;
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat = readOrEmpty(task.resolve("stat"));
                if (threadName(stat).contains("CompilerThre")) {
                    compiler += ticks(stat);
                }
            }
        } catch (IOException e) {
            return new ProcessCpu(0, 0);
        }
        return new ProcessCpu(ticks(readOrEmpty(proc.resolve("stat"))), compiler);
    }

    ProcessCpu since(ProcessCpu before) {
        return new ProcessCpu(totalTicks - before.totalTicks, compilerTicks - before.compilerTicks);
    }

    double totalSeconds() {
        return totalTicks / TICKS_PER_SECOND;
    }

    double compilerSeconds() {
        return compilerTicks / TICKS_PER_SECOND;
    }

    /** The name between the parentheses of a stat line; it may itself hold spaces and parentheses. */
    private static String threadName(String stat) {
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        return open < 0 || close < open ? "" : stat.substring(open + 1, close);
    }

    /** utime + stime, fields 14 and 15 of a stat line, counted after the name's closing parenthesis. */
    private static long ticks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return 0;
        }
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return fields.length > 12 ? Long.parseLong(fields[11]) + Long.parseLong(fields[12]) : 0;
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            // A thread that ended between the listing and the read.
            return "";
        }
    }
}
