package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the gateway frames what it exchanges with a client beyond the plain case (review BF): answers to HTTP/1.0 requests
 * that have no length, {@code Expect} on requests, and interim statuses from the upstream.
 */
class ClientFramingTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    private static final String HEAD = "Host: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            gateway.close();
            upstream.close();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void aStreamedAnswerToAnHttp10KeepAliveRequestSaysCloseEndsWithTheConnectionAndRunsNothingPipelinedBehindIt() throws Exception {
        upstream.answer(request -> request.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                .end("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}\n\n"));
        String received = exchange("POST /mcp HTTP/1.0\r\n" + HEAD + "Connection: keep-alive\r\nContent-Length: " + CALL.length() + "\r\n\r\n" + CALL
                + "POST /mcp HTTP/1.0\r\n" + HEAD + "Connection: keep-alive\r\nContent-Length: " + CALL.length() + "\r\n\r\n" + CALL);

        String head = received.substring(0, Math.max(0, received.indexOf("\r\n\r\n"))).toLowerCase(Locale.ROOT);
        assertThat(head).as(received).startsWith("http/1.0 200").contains("connection: close").doesNotContain("keep-alive")
                .doesNotContain("content-length");
        assertThat(received).as("the event, then the close: nothing else on the connection").contains("\"result\"")
                .doesNotContain("<no close").containsOnlyOnce("HTTP/1.");
        assertThat(upstream.received()).as("the request pipelined behind the stream is never run").hasSize(1);
    }

    @Test
    void answersWithALengthKeepAnHttp10KeepAliveConnection() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}"));
        String request = "POST /mcp HTTP/1.0\r\n" + HEAD + "Connection: keep-alive\r\nContent-Length: " + CALL.length() + "\r\n\r\n" + CALL;
        String received = exchange(request + request.replace("Connection: keep-alive\r\n", ""));

        assertThat(received.split("HTTP/1.0 200", -1)).as("both answered on the one connection: %s", received).hasSize(3);
        assertThat(received.toLowerCase(Locale.ROOT)).contains("connection: keep-alive").doesNotContain("connection: close");
    }

    @Test
    void anExpectationOtherThanContinueIsRefused417AndNothingIsForwarded() throws Exception {
        String received = exchange("POST /mcp HTTP/1.1\r\n" + HEAD + "Expect: 100-continue, x-fast\r\nConnection: close\r\nContent-Length: "
                + CALL.length() + "\r\n\r\n" + CALL);

        assertThat(received).as(received).startsWith("HTTP/1.1 417").contains("\"reason\":\"expectation_failed\"");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aClientWaitingForContinueIsToldAndItsExpectIsNotForwarded() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).expectContinue(true)
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(CALL)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).headers().contains("Expect")).as("Expect forwarded upstream").isFalse();
    }

    @Test
    void aBodyRefusedOnItsHeadersIsNotAskedForAndTheConnectionEnds() throws Exception {
        // The body is held back, as a client waiting for 100 Continue holds it; the next bytes it sends are another request.
        String received = exchange("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\nContent-Length: "
                + CALL.length() + "\r\n\r\n");

        assertThat(received).as(received).startsWith("HTTP/1.1 415").doesNotContain("100 Continue").doesNotContain("<no close");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRequestRefusedBeforeRoutingWhileItsBodyIsHeldBackEndsItsConnection() throws Exception {
        String received = exchange("POST /nowhere HTTP/1.1\r\n" + HEAD + "Expect: 100-continue\r\nContent-Length: " + CALL.length() + "\r\n\r\n");

        assertThat(received).as(received).startsWith("HTTP/1.1 404").containsIgnoringCase("connection: close")
                .doesNotContain("100 Continue").doesNotContain("<no close");
    }

    @Test
    void anUpstreamInterimStatusIsNotRelayedAsTheAnswer() throws Exception {
        assertThat(answerTo("HTTP/1.1 102 Processing\r\n\r\n")).startsWith("HTTP/1.1 502").contains("\"reason\":\"upstream_invalid_response\"");
    }

    @Test
    void anUpstreamSwitchingProtocolsOnACallIsRefusedAtOnceNotAtTheTimeout() throws Exception {
        assertThat(answerTo("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
                .startsWith("HTTP/1.1 502").contains("\"reason\":\"upstream_invalid_response\"");
    }

    /** What the client gets when the upstream answers its call with these bytes and then holds the connection. */
    private String answerTo(String upstreamBytes) throws Exception {
        try (ServerSocket raw = new ServerSocket(0);
             RunningGateway viaRaw = RunningGateway.mcp(vertx, "http://127.0.0.1:" + raw.getLocalPort() + "/mcp", "response-timeout: 3s", null)) {
            Thread server = new Thread(() -> {
                try (Socket socket = raw.accept()) {
                    InputStream in = socket.getInputStream();
                    ByteArrayOutputStream request = new ByteArrayOutputStream();
                    while (!request.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n" + CALL)) {
                        int c = in.read();
                        if (c < 0) {
                            return;
                        }
                        request.write(c);
                    }
                    socket.getOutputStream().write(upstreamBytes.getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                    while (in.read() >= 0) {
                        // held until the gateway cuts it
                    }
                } catch (Exception e) {
                    // the test ends
                }
            }, "raw-upstream");
            server.setDaemon(true);
            server.start();

            String received = exchange(viaRaw.port(), "POST /mcp HTTP/1.1\r\n" + HEAD + "Connection: close\r\nContent-Length: " + CALL.length()
                    + "\r\n\r\n" + CALL);

            assertThat(received).as(received).doesNotContain("<no close");
            server.join(10_000);
            assertThat(server.isAlive()).as("the upstream exchange was cut").isFalse();
            return received;
        }
    }

    private String exchange(String bytes) throws Exception {
        return exchange(gateway.port(), bytes);
    }

    /** Writes the bytes and reads until the gateway closes the connection (bounded: 10 s without a byte). */
    private static String exchange(int port, String bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
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
                out.write("<no close within 10 s>".getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
