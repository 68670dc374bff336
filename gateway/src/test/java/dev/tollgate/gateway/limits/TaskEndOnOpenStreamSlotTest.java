package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix X (review BE): a task's end seen on a stream that stays open (the session's GET stream) gives the task's slot back
 * when it is seen, not when that stream ends hours later; and the stream keeps nothing per such event. Caller limited to 2
 * calls in flight: the running task holds one, the open GET stream the other.
 */
class TaskEndOnOpenStreamSlotTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<HttpServerResponse> upstreamStreams = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            if (request.method() == HttpMethod.GET) {
                request.response().setChunked(true).putHeader("Content-Type", "text/event-stream").write(": open\n\n");
                upstreamStreams.add(request.response());
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            String result = body.path("params").has("task")
                    ? "{\"task\":{\"taskId\":\"task-1\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}}"
                    : "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 4\nmax-concurrent-calls-per-caller: 2",
                TestSessions.YAML);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        upstreamStreams.forEach(r -> r.end());
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply send(String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25")
                .putHeader("Mcp-Session-Id", TestSessions.sealed("upstream", "s-1")), Buffer.buffer(body));
    }

    private TestHttp.Reply plainCall(int id) throws Exception {
        return send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}");
    }

    @Test
    void aTaskEndOnTheOpenGetStreamGivesItsSlotBackAtOnce() throws Exception {
        TestHttp.Reply created = send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{},"
                + "\"task\":{\"ttl\":60000}}}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        assertThat(created.json().at("/result/task/taskId").asText()).isEqualTo("task-1");

        List<String> chunks = new CopyOnWriteArrayList<>();
        RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("MCP-Protocol-Version", "2025-11-25")
                .putHeader("Mcp-Session-Id", TestSessions.sealed("upstream", "s-1"));
        // The handler is set as the head arrives (see TestHttp.exchange): set later, it could miss the ": open" comment.
        TestHttp.readStream(http.raw(), get, null, resp -> resp.handler(chunk -> chunks.add(chunk.toString())));
        await().atMost(Duration.ofSeconds(10)).until(() -> upstreamStreams.size() == 1 && String.join("", chunks).contains(": open"));

        TestHttp.Reply refused = plainCall(2);
        assertThat(refused.status()).as("control: the task and the GET stream hold the caller's two slots").isEqualTo(429);

        for (int i = 0; i < 3; i++) {
            upstreamStreams.get(0).write("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tasks/status\",\"params\":{\"taskId\":\"task-1\","
                    + "\"status\":\"completed\",\"createdAt\":\"2026-12-06T09:00:00Z\",\"lastUpdatedAt\":\"2026-12-06T09:00:01Z\","
                    + "\"ttl\":60000}}\n\n");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> String.join("", chunks).split("notifications/tasks/status", -1).length == 4);
        assertThat(plainCall(3).status()).as("the task was seen to end on the open stream: its slot is back").isEqualTo(200);
    }
}
