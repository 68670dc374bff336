package dev.tollgate.gateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running node peer (a real A2A agent, say) started from {@link NodePeers#directory()}: waits for its
 * {@code LISTENING <port>} line, keeps draining its output, and is killed on close.
 */
public final class NodeServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");

    private final Process process;
    private final int port;
    private final StringBuffer output;

    private NodeServer(Process process, int port, StringBuffer output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public static NodeServer start(String script, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(NodePeers.node().toString(), NodePeers.directory().resolve(script).toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(NodePeers.directory().toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        StringBuffer output = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                output.append("[output lost: ").append(e).append("]\n");
            }
            port.completeExceptionally(new IllegalStateException(script + " ended before listening:\n" + output));
        }, "node-" + script);
        reader.setDaemon(true);
        reader.start();
        try {
            return new NodeServer(process, port.get(30, TimeUnit.SECONDS), output);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " did not start:\n" + output, e);
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String output() {
        return output.toString();
    }

    /**
     * The output's length once every line the server printed before this call has been read: posts a fresh marker (as the
     * query and the body) to {@code path} of a server that prints each request's URL or body (echo-agent.mjs's REQ line,
     * ts2-server.mjs's RECEIVED line, whatever it answers) and waits (bounded) for it. The output is read on another thread, so a line the server printed before answering an
     * earlier request can arrive after the client has the answer: a mark taken as {@code output().length()} right then
     * would count that line as printed after it.
     *
     * @return the output's length just past the marker's line
     */
    public int markAfterPosting(String path) throws Exception {
        String marker = "marker-" + java.util.UUID.randomUUID();
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url(path) + "?" + marker))
                .timeout(java.time.Duration.ofSeconds(20)).header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(marker)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String printed = output();
        while (!printed.contains(marker)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server never printed the marker posted to " + path + ":\n" + printed);
            }
            Thread.sleep(5);
            printed = output();
        }
        return printed.indexOf('\n', printed.indexOf(marker)) + 1;
    }

    /**
     * What the server printed from {@code mark} (a {@link #markAfterPosting} result) up to a marker posted to {@code path}
     * now, the marker's line left out: everything it printed meanwhile, all of it read.
     */
    public String printedSince(int mark, String path) throws Exception {
        int end = markAfterPosting(path);
        return output().substring(mark, output().lastIndexOf('\n', end - 2) + 1);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
