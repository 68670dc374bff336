package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review W, finding 1 again, with no batch (MCP 2025-11-25, which has none): the same laundering through a
 * {@code tasks/result} POST, one message that is not a {@code tools/call}, so {@code UpstreamCall.streamTool()} seals its
 * stream's ids with {@code exchange.resumedTool()}, the tool of the {@code Last-Event-ID} the POST carried.
 *
 * <p>Exact input (the upstream scripted as a resumable server: SSE answers with event ids, a GET with
 * {@code Last-Event-ID: r1} replays event r2): policy redacting card numbers from {@code customer_lookup}'s results.
 * <ol>
 * <li>{@code tools/call echo}: its events' ids come back sealed with tool echo (id E).</li>
 * <li>{@code tools/call customer_lookup} answered with task {@code job-1} (the gateway learns job-1 is customer_lookup's).</li>
 * <li>{@code POST tasks/result {taskId: job-1}} with {@code Last-Event-ID: E}: the card number in the task's result is
 * redacted on the POST (decided under job-1's tool), but the stream's ids (r1, r2) are sealed with tool echo.</li>
 * <li>{@code GET, Last-Event-ID: <sealed r1>}: the server replays r2, the task's result, as stored.</li>
 * </ol>
 *
 * <p>Gateway's reading: the replayed result is echo's; customer_lookup's redaction does not apply. Upstream's reading:
 * it is job-1's result, customer_lookup's. The card number reaches the caller.
 *
 * <p>Suggested fix: as ResumedToolLaunderingReviewWTest: a request with a body seals only its own one tools/call's tool
 * (else none); Last-Event-ID is opened on GET only.
 */
class ResumedToolTasksResultReviewWTest {

    private static final String SESSION = TestSessions.sealed("upstream", "session-abc");
    private static final String CARD = "4111 1111 1111 1111";
    private static final String TASK_RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"customer 17: card " + CARD + "\"}]}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<String> lastEventIds = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s)^\\{\"jsonrpc\":\"2.0\",\"id\":(\\d+).*", "$1");
            r.response().putHeader("Mcp-Session-Id", "session-abc");
            if (r.method() == HttpMethod.GET) {
                lastEventIds.add(r.getHeader("Last-Event-ID"));
                String replay = "r1".equals(r.getHeader("Last-Event-ID"))
                        ? "id: r2\ndata: {\"jsonrpc\":\"2.0\",\"id\":4,\"result\":" + TASK_RESULT + "}\n\n" : "";
                r.response().putHeader("Content-Type", "text/event-stream").end(replay);
            } else if (body.contains("\"echo\"")) {
                r.response().putHeader("Content-Type", "text/event-stream")
                        .end("id: e1\ndata: \n\nid: e2\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}\n\n");
            } else if (body.contains("customer_lookup")) {
                r.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"task\":{\"taskId\":\"job-1\",\"status\":\"working\"}}}");
            } else if (body.contains("tasks/result")) {
                r.response().putHeader("Content-Type", "text/event-stream")
                        .end("id: r1\ndata: \n\nid: r2\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TASK_RESULT + "}\n\n");
            } else {
                r.response().setStatusCode(202).end();
            }
        });
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-card-numbers-from-lookups
                    condition: {all: [{direction: result}, {tool: customer_lookup}, {check: {name: pii, args: {kinds: [card]}}}]}
                    action: redact
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", TestSessions.YAML));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static List<String> ids(String stream) {
        List<String> ids = new ArrayList<>();
        stream.lines().filter(line -> line.startsWith("id: ")).forEach(line -> ids.add(line.substring(4)));
        return ids;
    }

    @Test
    void aTasksResultPostCarryingAnEchoEventIdDoesNotMakeItsResultEchosOnResume() throws Exception {
        TestHttp.Reply echo = http.send(post(null), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}"));
        String echoEventId = ids(echo.body().toString()).get(0);

        TestHttp.Reply task = http.send(post(null), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"customer_lookup\",\"arguments\":{\"id\":17},\"task\":{}}}"));
        assertThat(task.body().toString()).contains("job-1");

        TestHttp.Reply result = http.send(post(echoEventId), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"job-1\"}}"));
        assertThat(result.body().toString()).as("redacted on the POST: " + result.body()).contains("customer 17").doesNotContain(CARD);
        List<String> resultIds = ids(result.body().toString());
        assertThat(resultIds).hasSize(2);

        TestHttp.Reply replayed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", resultIds.get(0)), null);

        assertThat(lastEventIds).as("the server was asked to replay the tasks/result stream").contains("r1");
        assertThat(replayed.body().toString()).as("job-1's result, replayed: " + replayed.body()).contains("customer 17");
        assertThat(replayed.body().toString()).as("decided as customer_lookup's (or an unknown tool's), redacted").doesNotContain(CARD);
    }

    private RequestOptions post(String lastEventId) {
        RequestOptions options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25");
        return lastEventId == null ? options : options.putHeader("Last-Event-ID", lastEventId);
    }
}
