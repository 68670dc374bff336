package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RawHttpReply;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One kept-alive client connection carries a mix of rejected and forwarded requests, including rejections
 * answered before the body was read: every request gets exactly its own answer, in order.
 */
class KeepAliveTest {

    private record Sent(String method, String path, String extraHeaders, String body, int expectedStatus) {
    }

    @Test
    void everyRejectLeavesTheConnectionUsableForTheNextRequest() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, "limits:\n  max-body-bytes: 256\n");
             Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String ok = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
            List<Sent> sequence = List.of(
                    new Sent("POST", "/mcp", "", ok, 200),
                    new Sent("POST", "/mcp", "Origin: http://evil.example.com\r\n", ok, 403),
                    new Sent("POST", "/mcp", "", ok, 200),
                    new Sent("PUT", "/mcp", "", ok, 405),
                    new Sent("POST", "/mcp", "", "x".repeat(300), 413),
                    new Sent("POST", "/mcp", "", "not json", 400),
                    new Sent("POST", "/nowhere", "", ok, 404),
                    new Sent("POST", "/mcp", "", ok, 200));
            for (int round = 0; round < 20; round++) {
                for (Sent sent : sequence) {
                    byte[] body = sent.body().getBytes(StandardCharsets.UTF_8);
                    out.write(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
                            .formatted(sent.method(), sent.path(), sent.extraHeaders(), body.length)).getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();

                    int status = RawHttpReply.read(in).status();

                    assertThat(status).as("round %d, %s %s", round, sent.method(), sent.path()).isEqualTo(sent.expectedStatus());
                }
            }
            assertThat(upstream.received()).hasSize(20 * 3);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
