package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revD), the caller as the adversary: a resumable server (SEP-1699 event store, as the TypeScript SDK's
 * {@code eventStore} option) replays a stream's stored events on a GET with {@code Last-Event-ID}, ids as first sent.
 * The caller gets customer_lookup's result redacted on its POST (id 9; the id is released once answered), then keeps
 * an echo call with the same id 9 in flight and replays the old stream: the gateway decides the replayed raw result
 * under the tool of the call now in flight with id 9 (echo), and the card number the rule redacts reaches the caller.
 */
class ReplayedResultReviewTest {

    private static final String SESSION = TestSessions.sealed("upstream", "session-abc");
    private static final String RAW = "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
            + "\"customer 17: card 4111 1111 1111 1111\"}]}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (r.method() == HttpMethod.GET) {
                r.response().putHeader("Content-Type", "text/event-stream").end("id: s1_2\ndata: " + RAW + "\n\n"); // the replay
            } else if (body.contains("customer_lookup")) {
                r.response().putHeader("Content-Type", "text/event-stream").end("id: s1_1\ndata: \n\nid: s1_2\ndata: " + RAW + "\n\n");
            } else {
                held.add(r); // echo runs long
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
        held.forEach(r -> r.response().setStatusCode(202).end());
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aReplayedResultIsNotDecidedUnderTheToolOfALaterCallReusingItsId() throws Exception {
        TestHttp.Reply lookup = http.send(post(), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"customer_lookup\",\"arguments\":{\"id\":17}}}"));
        assertThat(lookup.body().toString()).as("redacted on the POST: " + lookup.body()).contains("customer 17").doesNotContain("4111 1111 1111 1111");

        CompletableFuture<TestHttp.Reply> echo = CompletableFuture.supplyAsync(() -> {
            try {
                return http.send(post(), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);

        TestHttp.Reply replayed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", TestSessions.sealedEventId("upstream", "s1_1")), null);

        assertThat(replayed.body().toString()).as("customer_lookup's result, replayed: " + replayed.body()).doesNotContain("4111 1111 1111 1111");
        held.forEach(r -> r.response().setStatusCode(202).end());
        held.clear();
        echo.get();
    }

    private RequestOptions post() {
        return TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", SESSION).putHeader("MCP-Protocol-Version", "2025-11-25");
    }
}
