package dev.tollgate.gateway.replicas;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * nginx (the Debian package's binary) in front of the replicas: one {@code upstream} block, round-robin, no
 * keep-alive to the replicas (each request picks the next one), buffering off for SSE. Its own prefix in a
 * work directory, foreground, pid and logs there; the access log records which replica served each request.
 */
final class Nginx implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static Nginx start(Path dir, List<Integer> replicaPorts) throws Exception {
        Files.createDirectories(dir);
        int port = dev.tollgate.gateway.support.TestPorts.unclaimed();
        String servers = replicaPorts.stream().map(p -> "    server 127.0.0.1:" + p + ";").collect(Collectors.joining("\n"));
        String conf = """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 1024; }
                http {
                  log_format replica '$request_method $uri $status upstream=$upstream_addr';
                  access_log %1$s/access.log replica;
                  client_body_temp_path %1$s/client_body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream replicas {
                %2$s
                  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://replicas;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $http_host;
                      proxy_buffering off;
                      proxy_request_buffering off;
                      proxy_read_timeout 120s;
                      add_header X-Replica $upstream_addr always;
                    }
                  }
                }
                """.formatted(dir, servers, port);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process process = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", file.toString(), "-e", dir.resolve("error.log").toString(),
                "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new Nginx(process, dir, port);
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
                            + Files.readString(dir.resolve("nginx.out.log")) + Files.readString(dir.resolve("error.log")));
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port + " within 10 s");
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The access log's lines so far ({@code METHOD URI STATUS upstream=ADDR}). */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
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
