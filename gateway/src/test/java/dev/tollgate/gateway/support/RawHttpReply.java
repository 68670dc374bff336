package dev.tollgate.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one HTTP/1.1 answer with a Content-Length body from a plain socket, for tests that must control
 * exactly when each byte of the request is written (an answer read before the request is finished, several
 * requests on one connection).
 */
public final class RawHttpReply {

    private RawHttpReply() {
    }

    public static TestHttp.Reply read(InputStream in) throws IOException {
        String statusLine = readLine(in);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        if (headers.contains("Transfer-Encoding")) {
            throw new IOException("a chunked answer; this reader takes Content-Length bodies only");
        }
        String length = headers.get("Content-Length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        if (length != null && body.length < Integer.parseInt(length)) {
            throw new EOFException("connection closed mid-body");
        }
        return new TestHttp.Reply(Integer.parseInt(statusLine.split(" ")[1]), headers, Buffer.buffer(body));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed mid-answer");
            }
            if (c != '\r') {
                // Each byte as its Latin-1 character: heads are ASCII.
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
