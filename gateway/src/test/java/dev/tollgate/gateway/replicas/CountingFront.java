package dev.tollgate.gateway.replicas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network front of an MCP instance: a TCP relay on loopback that records the test's call header in every
 * byte that was sent to the instance's address, so "sent to the instance" is known even for requests the
 * server never read. An HTTP server that stops discards what sits unread in its sockets; counting in the server
 * would call such requests "never sent" although the gateway had written them. {@link #kill()} is a crash:
 * no more connections accepted, whatever is already on the way is read (and recorded) for a moment, then
 * every connection is reset.
 */
final class CountingFront implements AutoCloseable {

    private static final Pattern CALL = Pattern.compile(ReplicaMcpServer.CALL_HEADER.toLowerCase(Locale.ROOT) + ":\\s*([A-Za-z0-9-]+)\r\n");

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    /** Connections from the gateways that were open when the instance was killed (each was reset). */
    volatile int connectionsReset;
    /** Call ids whose request bytes reached this address. */
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    private volatile boolean killed;

    CountingFront(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "front-accept-" + target);
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!killed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                clients.add(client);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                if (!killed) {
                    e.printStackTrace();
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean requests) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            String carry = "";
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (requests) {
                        String text = carry + new String(buffer, 0, n, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                        Matcher m = CALL.matcher(text);
                        while (m.find()) {
                            sent.add(m.group(1));
                        }
                        carry = text.substring(Math.max(0, text.length() - 64));
                    }
                    if (!killed) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // a side closed or was reset
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "front-pump-" + target);
        t.setDaemon(true);
        t.start();
    }

    /** A crash: refuse new connections, read for a moment what was already sent (recording it), then reset everything. */
    void kill() throws Exception {
        killed = true;
        listener.close();
        Thread.sleep(20);
        connectionsReset = (int) clients.stream().filter(c -> !c.isClosed()).count();
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // already closed
            }
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() throws Exception {
        if (!killed) {
            kill();
        }
    }
}
