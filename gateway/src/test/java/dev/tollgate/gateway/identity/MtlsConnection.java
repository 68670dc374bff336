package dev.tollgate.gateway.identity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * One persistent HTTP/1.1 connection over mTLS, so a test can send several calls on the same TLS session
 * (keep-alive) and see which server certificate that session was opened with. A fresh SSLContext per
 * connection: no session resumption hides the server's current certificate.
 */
final class MtlsConnection implements AutoCloseable {

    private final SSLSocket socket;

    private MtlsConnection(SSLSocket socket) {
        this.socket = socket;
    }

    static MtlsConnection open(int port, DevPki.Issued client, X509Certificate serverCa) throws Exception {
        SSLSocket socket = (SSLSocket) DevPki.clientContext(client, serverCa).getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return new MtlsConnection(socket);
    }

    X509Certificate serverCertificate() throws Exception {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    BigInteger serverSerial() throws Exception {
        return serverCertificate().getSerialNumber();
    }

    /** A response: status code and body. */
    record Reply(int status, String body) {
    }

    /** POSTs a JSON body and reads the whole response; returns the status code. */
    int post(String path, String json) throws IOException {
        return send(path, json).status();
    }

    /** POSTs a JSON body and reads the whole response (Content-Length or chunked). */
    Reply send(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        String status = line(in);
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = Long.parseLong(line(in).trim(), 16); size > 0; size = Long.parseLong(line(in).trim(), 16)) {
                content.write(in.readNBytes((int) size));
                line(in);
            }
            line(in);
        } else if (length > 0) {
            content.write(in.readNBytes((int) length));
        }
        return new Reply(Integer.parseInt(status.split(" ")[1]), content.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
