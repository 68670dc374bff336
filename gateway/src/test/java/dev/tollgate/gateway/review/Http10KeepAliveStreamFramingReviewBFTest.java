package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review BF (medium: response framing): an answer the gateway streams to an HTTP/1.0 client that asked for keep-alive has
 * no end the client can find, and the connection stays open, so the next answer on it is read as part of this one.
 *
 * <p>HTTP/1.0 has no chunked coding: a response without Content-Length ends where the connection closes (RFC 9112 6.3).
 * When the gateway relays an answer as a stream ({@code UpstreamCall.relay}: every MCP answer the upstream sends as SSE,
 * the GET stream, large answers without a length; {@code ClientElicitation.ask}) it calls {@code setChunked(true)}, which
 * Vert.x ignores on an HTTP/1.0 response, and answers {@code Connection: keep-alive} with neither Content-Length nor
 * Transfer-Encoding. When the stream ends nothing marks it: the connection is kept open. An HTTP/1.0 client (or an HTTP/1.0
 * hop in front of the gateway that pools its connections) waits for a close that never comes; when a second request
 * follows on the connection, its whole answer (status line, headers and body) arrives inside the first answer's body.
 *
 * <p>Bytes (the real MCP TypeScript SDK server, stateless, answering POSTs as SSE): two HTTP/1.0 requests on one
 * connection, the first {@code Connection: keep-alive}. Read as HTTP/1.0 reads it, the first answer is
 * {@code HTTP/1.0 200 OK / Content-Type: text/event-stream / connection: keep-alive}, then its event, then
 * {@code HTTP/1.0 200 OK ... {"jsonrpc":"2.0","id":"second-caller",...}}: the second caller's answer, delivered to the
 * first. Fails today; passes once a streamed answer to an HTTP/1.0 request ends with the connection (Connection: close) or
 * is sent with a length.
 */
class Http10KeepAliveStreamFramingReviewBFTest {

    private static final String HEAD = "Host: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            + "MCP-Protocol-Version: 2025-06-18\r\n";

    @Test
    void aStreamedAnswerToAnHttp10KeepAliveRequestEndsBeforeTheNextAnswerOnTheConnection() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (NodeServer server = NodeServer.start("ts-stateless-resumable-server.mjs", Map.of());
             RunningGateway gateway = RunningGateway.mcp(vertx, server.url("/mcp"), null, null)) {
            String first = "{\"jsonrpc\":\"2.0\",\"id\":\"first-caller\",\"method\":\"tools/list\"}";
            String second = "{\"jsonrpc\":\"2.0\",\"id\":\"second-caller\",\"method\":\"tools/list\"}";
            String bytes = "POST /mcp HTTP/1.0\r\n" + HEAD + "Connection: keep-alive\r\nContent-Length: " + first.length() + "\r\n\r\n" + first
                    + "POST /mcp HTTP/1.0\r\n" + HEAD + "Content-Length: " + second.length() + "\r\n\r\n" + second;

            String received = exchange(gateway.port(), bytes);

            int headEnd = received.indexOf("\r\n\r\n");
            assertThat(headEnd).as("an answer head: %s", received).isPositive();
            String head = received.substring(0, headEnd).toLowerCase(Locale.ROOT);
            assertThat(head).as("the first answer: %s", received).startsWith("http/1.0 200").contains("text/event-stream");
            // The first answer's body as an HTTP/1.0 reader takes it: up to its Content-Length if it has one, else to the close.
            String body = received.substring(headEnd + 4);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?m)^content-length:\\s*(\\d+)").matcher(head);
            if (length.find()) {
                body = body.substring(0, Math.min(body.length(), Integer.parseInt(length.group(1))));
            }
            assertThat(body).as("the first caller's answer (read to its end) holds its own result").contains("first-caller");
            assertThat(body)
                    .as("an HTTP/1.0 answer without a length ends at the close: the second request's answer must not arrive inside it"
                            + " (whole bytes received: %s)", received)
                    .doesNotContain("second-caller")
                    .doesNotContain("HTTP/1.");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** Writes the bytes and reads until the gateway closes the connection (bounded: 20 s without a byte). */
    private static String exchange(int port, String bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                out.write("<no close within 20 s>".getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
