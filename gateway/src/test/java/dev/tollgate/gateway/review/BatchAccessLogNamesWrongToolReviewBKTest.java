package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * Review BK: the access-log line of a JSON-RPC batch (MCP 2025-03-26) names the batch's FIRST call (method and tool,
 * CompletionRecorder.completed: {@code exchange.calls().get(0)}) beside the decision of the DECIDING one
 * (decisionLabel: ShownDecision, the strongest refusal, as the span, the metric and the admin page show it since review
 * AN). A caller putting an innocuous call first gets its refused call to {@code wipe_disk} logged as
 * {@code "tool":"echo","decision":"denied"}: a denial of the wrong tool, and the refused tool in no access line at all.
 * The admin page's row (CompletionRecorder.recent, decidingIndex) names the deciding call; the access log should too (or
 * say method "batch" as the metric does).
 */
class BatchAccessLogNamesWrongToolReviewBKTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-wiping\n    condition: {tool: wipe_disk}\n    action: deny\n";
    private static final ObjectMapper JSON = new ObjectMapper();

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
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}]"));
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
        http = new TestHttp(vertx);
        Class<?> accessLog = Class.forName("dev.tollgate.gateway.pipeline.AccessLog");
        Constructor<?> json = accessLog.getDeclaredConstructor(OutputStream.class, boolean.class);
        json.setAccessible(true);
        swap = accessLog.getDeclaredMethod("swap", accessLog);
        swap.setAccessible(true);
        previous = swap.invoke(null, json.newInstance(new java.io.FilterOutputStream(lines) {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                synchronized (lines) {
                    lines.write(b, off, len);
                }
            }
        }, false));
    }

    @AfterEach
    void stop() throws Exception {
        swap.invoke(null, previous);
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private List<JsonNode> written() {
        String text;
        synchronized (lines) {
            text = new String(lines.toByteArray(), StandardCharsets.UTF_8);
        }
        return text.lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new IllegalStateException(l, e);
            }
        }).toList();
    }

    @Test
    void theLineOfABatchWithARefusedCallNamesTheRefusedTool() throws Exception {
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"wipe_disk\",\"arguments\":{}}}]";
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"),
                Buffer.buffer(batch));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("no-wiping");
        await().atMost(Duration.ofSeconds(5)).until(() -> !written().isEmpty());
        JsonNode line = written().get(0);
        assertThat(line.path("decision").asText()).isEqualTo("denied");
        assertThat(line.path("tool").asText(null)).as("the tool of the access line saying 'denied': " + line).isEqualTo("wipe_disk");
    }
}
