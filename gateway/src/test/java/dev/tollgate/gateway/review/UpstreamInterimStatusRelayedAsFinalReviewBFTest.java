package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Review BF (low: a call left unanswered, its answer lost; on a kept-alive connection the next request's answer becomes
 * this one's): an upstream's {@code 102 Processing} interim response is relayed to the client as if it were the final
 * answer, and the upstream's real answer is dropped.
 *
 * <p>A 1xx response is interim (RFC 9110 15.2): the final one follows on the same exchange. Node servers send 102 with
 * {@code res.writeProcessing()} while a long call runs. The Vert.x client hands the gateway only 100 and 103 as interim;
 * any other 1xx arrives as the response, and {@code UpstreamCall.relay} copies its status to the client
 * ({@code response.setStatusCode(upstream.statusCode())}) and ends the answer there. The client's HTTP stack reads the 102
 * as interim too and waits for a final answer that never comes (here, with {@code Connection: close}, the connection is
 * closed with none). The tool call's result, sent by the upstream right after, reaches nobody, and the answer policing
 * never sees it.
 *
 * <p>Bytes: upstream answers {@code HTTP/1.1 102 Processing\r\n\r\n} then {@code HTTP/1.1 200 OK} with the result; the
 * client receives {@code HTTP/1.1 102 Processing / connection: close} and then the close. Fails today; passes once the
 * client receives a final status (the upstream's 200 with its result, or a 502 refusing the interim status).
 */
class UpstreamInterimStatusRelayedAsFinalReviewBFTest {

    @Test
    void anUpstreamProcessingInterimResponseIsNotTheClientsFinalAnswer() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (ServerSocket upstream = new ServerSocket(0);
             RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + upstream.getLocalPort() + "/mcp", null, null)) {
            Thread server = new Thread(() -> {
                try {
                    answerWithProcessingFirst(upstream.accept());
                } catch (Exception e) {
                    // the test ends
                }
            }, "raw-upstream");
            server.setDaemon(true);
            server.start();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";
            String request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;

            String received = exchange(gateway.port(), request);

            // The first status line that is not interim: what the client's HTTP stack takes as the answer.
            Matcher status = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3})").matcher(received);
            String finalStatus = null;
            while (status.find()) {
                if (!status.group(1).startsWith("1")) {
                    finalStatus = status.group(1);
                    break;
                }
            }
            assertThat(finalStatus).as("the client must receive a final (non-1xx) answer; it received: %s", received).isNotNull();
            assertThat(finalStatus.equals("200") ? received.contains("\"upstream-result\"") : finalStatus.equals("502"))
                    .as("the final answer is the upstream's result (or a 502 refusing the interim status); received: %s", received).isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /**
     * The same on a kept-alive client connection: the 102 ends the first call's answer as far as the gateway is concerned,
     * and the next request on the connection (a second caller's, behind a front proxy that pipelines) gets its answer there.
     * The client's HTTP stack reads that answer as the first request's final answer: the first caller receives the second
     * caller's result.
     */
    @Test
    void theNextAnswerOnTheConnectionIsNotReadAsTheFirstCallsFinalAnswer() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (ServerSocket upstream = new ServerSocket(0);
             RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + upstream.getLocalPort() + "/mcp", null, null)) {
            // In order: the first connection gets 102 then the first caller's result; any later one the second caller's.
            Thread server = new Thread(() -> {
                try {
                    Socket firstConnection = upstream.accept();
                    Thread handler = new Thread(() -> answerWithProcessingFirst(firstConnection), "raw-upstream-1");
                    handler.setDaemon(true);
                    handler.start();
                    answerPlainly(upstream.accept());
                } catch (Exception e) {
                    // the test ends
                }
            }, "raw-upstream");
            server.setDaemon(true);
            server.start();
            String first = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";
            String other = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"caller\":\"second\"}}}";
            String head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
            String received = exchange(gateway.port(), head + "Content-Length: " + first.length() + "\r\n\r\n" + first
                    + head + "Connection: close\r\nContent-Length: " + other.length() + "\r\n\r\n" + other);

            // What an HTTP/1.1 reader takes as the first request's answer: the first non-1xx response on the connection.
            Matcher status = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3})").matcher(received);
            int finalStart = -1;
            while (status.find()) {
                if (!status.group(1).startsWith("1")) {
                    finalStart = status.start();
                    break;
                }
            }
            assertThat(finalStart).as("a final answer to the first request; received: %s", received).isNotNegative();
            String firstAnswer = received.substring(finalStart);
            // That answer alone, as an HTTP/1.1 reader delimits it (its Content-Length): the next request's own answer follows.
            int firstHeadEnd = firstAnswer.indexOf("\r\n\r\n");
            Matcher firstLength = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(firstHeadEnd < 0 ? "" : firstAnswer.substring(0, firstHeadEnd));
            if (firstLength.find()) {
                firstAnswer = firstAnswer.substring(0, Math.min(firstAnswer.length(), firstHeadEnd + 4 + Integer.parseInt(firstLength.group(1))));
            }
            assertThat(firstAnswer).as("the first request's final answer must be its own, not the second caller's; received: %s", received)
                    .doesNotContain("second-callers-result");
            assertThat(firstAnswer.startsWith("HTTP/1.1 502") || firstAnswer.contains("upstream-result"))
                    .as("the first request's final answer is its result (or a 502); received: %s", received).isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** A second connection's request, answered at once with a result naming the second caller. */
    private static void answerPlainly(Socket connection) {
        try (Socket socket = connection) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
            String result = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"second-callers-result\",\"inputSchema\":{\"type\":\"object\"}}]}}";
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + result.length() + "\r\n\r\n"
                    + result).getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            while (in.read() >= 0) {
                // drain
            }
        } catch (Exception e) {
            // the test ends
        }
    }

    /** One request: 102 Processing at once, then the final answer (as a Node server using res.writeProcessing() does). */
    private static void answerWithProcessingFirst(Socket connection) {
        try (Socket socket = connection) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String result = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"upstream-result\",\"inputSchema\":{\"type\":\"object\"}}]}}";
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + result.length() + "\r\n\r\n" + result)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // Held open until the gateway is done with it.
            while (in.read() >= 0) {
                // drain
            }
        } catch (Exception e) {
            // the test ends
        }
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            head.write(c);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes the request and reads until the gateway closes the connection (bounded: 15 s without a byte). */
    private static String exchange(int port, String bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                out.write("<no close within 15 s>".getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
