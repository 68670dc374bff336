package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review (revJ): the text access log (TOLLGATE_LOG_FORMAT=text, and the default at a terminal) promises "Text lines keep
 * one token per field: what a client chose (a tool name) cannot add fields or lines" (AccessLog.or), but only tool,
 * caller, trace id and error go through {@code or()}: {@code method=} is appended raw, and the JSON-RPC method is the
 * client's to choose (any non-empty string; a request with an id and any method is policed and, under an allowing
 * default, forwarded). A method holding {@code \n} writes a second, forged access line (here: an allowed {@code
 * tools/call transfer_funds} by tenant acme that never happened); spaces and {@code =} add fields. The JSON format
 * escapes it. Should be: method (and route) through {@code or()} like the other fields.
 *
 * <p>Fixed: route, method and decision go through the same one-token cleaning as the tool name (AccessLog.or).
 */
class AccessLogTextLineReviewTest {

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private Object previous;
    private Method swap;
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null);
        http = new TestHttp(vertx);
        Class<?> accessLog = Class.forName("dev.tollgate.gateway.pipeline.AccessLog");
        Constructor<?> text = accessLog.getDeclaredConstructor(OutputStream.class, boolean.class);
        text.setAccessible(true);
        swap = accessLog.getDeclaredMethod("swap", accessLog);
        swap.setAccessible(true);
        previous = swap.invoke(null, text.newInstance(java.io.OutputStream.class.cast(new java.io.FilterOutputStream(lines) {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                lines.write(b, off, len);
            }
        }), true));
    }

    @AfterEach
    void stop() throws Exception {
        swap.invoke(null, previous);
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private List<String> written() {
        synchronized (lines) {
            return new String(lines.toByteArray(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void control_aToolNameWithANewlineStaysOnItsLine() throws Exception {
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\\nforged\",\"arguments\":{}}}");

        await().atMost(Duration.ofSeconds(5)).until(() -> !written().isEmpty());
        Thread.sleep(200);
        assertThat(written()).hasSize(1);
    }

    @Test
    void aMethodWithANewlineCannotWriteASecondAccessLine() throws Exception {
        String forged = "2026-12-06T04:00:00.000Z INFO  tollgate.access - route=upstream method=tools/call tool=transfer_funds"
                + " caller=acme/planner/run-1 decision=allowed status=200 upstream_ms=1.0 total_ms=2.0 trace_id=- error=-";
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\\n" + forged + "\\nx\",\"params\":{}}");

        await().atMost(Duration.ofSeconds(5)).until(() -> !written().isEmpty());
        Thread.sleep(200);
        assertThat(written()).as("one call, one access line").hasSize(1);
    }
}
