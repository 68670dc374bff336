package dev.tollgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds many connections to a running gateway the way an unauthenticated attacker would, and reports what
 * they cost it: the gateway process's resident memory (VmRSS, sampled from /proc) before, at its peak and
 * after, and how many of the connections the gateway had closed by the end. Modes:
 * <ul>
 *   <li>{@code headers}: a request line and a few headers, never finished (slowloris);
 *   <li>{@code body}: complete headers promising a 4 MiB body, then 250 bytes of it (slow body);
 *   <li>{@code idle}: connect and send nothing.
 * </ul>
 * Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.SlowClientsProbe PORT PID MODE CONNECTIONS HOLD_SECONDS}.
 * Bounded: at most the given connections, held at most HOLD_SECONDS.
 */
public final class SlowClientsProbe {

    private SlowClientsProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: SlowClientsProbe PORT PID headers|body|idle CONNECTIONS HOLD_SECONDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        String mode = args[2];
        int connections = Math.min(Integer.parseInt(args[3]), 10_000);
        long holdMillis = Math.min(Long.parseLong(args[4]), 600) * 1000L;

        long before = rssKib(pid);
        List<Socket> sockets = new ArrayList<>(connections);
        int refused = 0;
        for (int i = 0; i < connections; i++) {
            try {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(1);
                send(socket.getOutputStream(), mode);
                sockets.add(socket);
            } catch (IOException e) {
                refused++;
            }
        }
        long peak = rssKib(pid);
        long deadline = System.currentTimeMillis() + holdMillis;
        int closedByGateway = 0;
        while (System.currentTimeMillis() < deadline) {
            closedByGateway = countClosed(sockets);
            peak = Math.max(peak, rssKib(pid));
            if (closedByGateway == sockets.size()) {
                break;
            }
            Thread.sleep(250);
        }
        long heldMillis = holdMillis - Math.max(0, deadline - System.currentTimeMillis());
        for (Socket socket : sockets) {
            socket.close();
        }
        Thread.sleep(500);
        long after = rssKib(pid);
        System.out.printf("mode=%s connections=%d refused=%d closed_by_gateway=%d after_ms=%d rss_kib_before=%d rss_kib_peak=%d "
                        + "rss_kib_after=%d peak_growth_per_connection_bytes=%d%n",
                mode, sockets.size(), refused, closedByGateway, heldMillis, before, peak, after,
                sockets.isEmpty() ? 0 : (peak - before) * 1024 / sockets.size());
    }

    private static void send(OutputStream out, String mode) throws IOException {
        switch (mode) {
            case "headers" -> out.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
            case "body" -> {
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json, text/event-stream\r\nContent-Length: 4194304\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                        + "x".repeat(170)).getBytes(StandardCharsets.US_ASCII));
            }
            case "idle" -> {
                // nothing: an open connection is the whole attack
            }
            default -> throw new IllegalArgumentException("mode is headers, body or idle");
        }
        out.flush();
    }

    /** Connections the gateway has closed (end of stream or reset); whatever it answered is read and dropped. */
    private static int countClosed(List<Socket> sockets) {
        int closed = 0;
        byte[] buffer = new byte[4096];
        for (Socket socket : sockets) {
            try {
                InputStream in = socket.getInputStream();
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        closed++;
                        break;
                    }
                }
            } catch (SocketTimeoutException open) {
                // still open
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
