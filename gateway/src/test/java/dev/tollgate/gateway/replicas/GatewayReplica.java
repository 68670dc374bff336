package dev.tollgate.gateway.replicas;

import dev.tollgate.gateway.cli.TollgateCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway replica as its own JVM: {@code java -cp <test classpath> TollgateCommand run --config FILE},
 * listener and admin on port 0 (the ports are read from what the process prints), stdout and stderr in
 * files for diagnosis. Ready once its admin {@code /readyz} answers 200.
 */
final class GatewayReplica implements AutoCloseable {

    private static final Pattern LISTENER = Pattern.compile("tollgate: listener public on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("tollgate: admin on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final Process process;
    final Path stdout;
    final Path stderr;
    private int port;
    private int adminPort;

    private GatewayReplica(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts the process; call {@link #awaitReady} (for all replicas at once, they start in parallel). */
    static GatewayReplica launch(String name, Path config, Path logDir) throws Exception {
        Path out = logDir.resolve(name + ".out.log");
        Path err = logDir.resolve(name + ".err.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                TollgateCommand.class.getName(), "run", "--config", config.toString(), "--event-loops", "1", "--reload-interval", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new GatewayReplica(name, process, out, err);
    }

    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logs());
            }
            if (adminPort == 0) {
                String text = Files.readString(stdout);
                Matcher l = LISTENER.matcher(text);
                Matcher a = ADMIN.matcher(text);
                if (l.find() && a.find()) {
                    port = Integer.parseInt(l.group(1));
                    adminPort = Integer.parseInt(a.group(1));
                }
            }
            if (adminPort != 0 && admin("/readyz").statusCode() == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + logs());
    }

    HttpResponse<String> admin(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sum of the {@code tollgate_requests_total} series of a route: the calls this replica completed on it. */
    double requests(String route) throws Exception {
        return ThreeReplicasTest.metricSum(admin("/metrics").body(), "tollgate_requests_total", "route=\"" + route + "\"");
    }

    int port() {
        return port;
    }

    int adminPort() {
        return adminPort;
    }

    String logs() throws Exception {
        return "--- stdout " + stdout + "\n" + (Files.exists(stdout) ? Files.readString(stdout) : "")
                + "\n--- stderr " + stderr + "\n" + (Files.exists(stderr) ? tail(Files.readString(stderr), 8000) : "");
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
