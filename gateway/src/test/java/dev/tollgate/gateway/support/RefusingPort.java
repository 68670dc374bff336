package dev.tollgate.gateway.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port on which every connection is refused, for as long as this is open. The port is bound by a socket that
 * never listens: a connect gets a reset, and no other process can take the port meanwhile (a port found free and closed
 * again was once taken by another test JVM, and the "dead" upstream answered 404).
 */
public final class RefusingPort implements AutoCloseable {
    private final Socket bound = new Socket();

    public RefusingPort() throws IOException {
        bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() {
        return bound.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() throws IOException {
        bound.close();
    }
}
