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
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review (revJ): {@code max-concurrent-calls} and {@code max-concurrent-calls-per-caller} ("calls in flight on the route
 * per caller ... so one caller holding streams open cannot starve the others") are counted per HTTP request
 * (ConcurrencyStage admits one slot before the body is read), but a JSON-RPC batch (any request without an
 * MCP-Protocol-Version, or with 2025-03-26) carries up to {@code limits.max-batch-messages} (100) tool calls, each
 * decided and audited as a call and all forwarded at once. With a per-caller limit of 1, a caller whose single calls are
 * refused 429 once one is in flight has 5 (up to 100) tool calls running on the upstream through one batch: the limit
 * is exceeded 100 times over, and the route limit likewise.
 * Should be: after parsing, a batch takes one slot per call it forwards (refused 429 when they do not fit), or batches
 * of more calls than the caller's limit are refused.
 *
 * <p>Fixed: {@code BatchConcurrencyStage} takes a slot for each request of a batch beyond the first, and refuses the
 * whole batch, 429, when they do not fit.
 */
class BatchConcurrencyReviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<HttpServerResponse> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> held.add(request.response())); // the tools run until the test ends
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "max-concurrent-calls: 2\nmax-concurrent-calls-per-caller: 1", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(r -> {
            try {
                r.setStatusCode(500).end();
            } catch (RuntimeException ignored) {
                // gone
            }
        });
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crawl\",\"arguments\":{}}}";
    }

    private CompletableFuture<TestHttp.Reply> postAsync(String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"), Buffer.buffer(body));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** tools/call messages the upstream has received and not answered. */
    private int toolCallsInFlight() throws Exception {
        int n = 0;
        for (RecordingUpstream.Received r : upstream.received()) {
            JsonNode body = JSON.readTree(r.body().getBytes());
            n += body.isArray() ? body.size() : 1;
        }
        return n;
    }

    @Test
    void aBatchCountsEachOfItsCallsAgainstTheCallersConcurrencyLimit() throws Exception {
        TestHttp.Reply refused = postAsync(batch(1, 5)).get();

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.reason()).isEqualTo("caller_concurrency_limit");
        assertThat(refused.headers().get("Retry-After")).isEqualTo("1");
        assertThat(upstream.received()).as("a batch that does not fit forwards nothing").isEmpty();

        // Control: a batch that fits is forwarded, and holds the caller's one slot as a single call would.
        postAsync(batch(1, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> toolCallsInFlight() == 1);
        assertThat(postAsync(call(9)).get().reason()).isEqualTo("caller_concurrency_limit");
    }

    @Test
    void theSlotsABatchTakesAreGivenBackWhenItIsRefused() throws Exception {
        assertThat(postAsync(batch(1, 3)).get().status()).isEqualTo(429);

        // The refused batch's first slot (and any it took) are free again: one call fits.
        postAsync(call(7));
        await().atMost(Duration.ofSeconds(10)).until(() -> toolCallsInFlight() == 1);
        assertThat(gateway.gateway().services().concurrentCalls().inFlight("upstream")).isEqualTo(1);
    }

    private static String batch(int first, int count) {
        StringJoiner batch = new StringJoiner(",", "[", "]");
        for (int i = first; i < first + count; i++) {
            batch.add(call(i));
        }
        return batch.toString();
    }
}
