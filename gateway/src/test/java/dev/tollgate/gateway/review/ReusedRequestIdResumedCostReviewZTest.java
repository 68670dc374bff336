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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (medium): calls whose streams ended unanswered are filed in DeferredCosts by caller, upstream session
 * and JSON-RPC request id only ({@code streamLeftUnanswered: putIfAbsent(request.id().toString())}). A caller that gives
 * every call the same id (the id is free again as soon as the previous stream ended: SessionRequestIdStage refuses only
 * ids in flight) has one entry for all of them: the second and later calls are not filed at all, and the first resumed
 * answer takes the one entry. Resuming every stream afterwards, the caller receives every result, and only one of them
 * is charged beyond its estimate.
 *
 * <p>Input: budget $1.00 on {@code synth*}, synthesize priced $0.30; three {@code tools/call synthesize}, all with
 * {@code "id": 7}, each answered with a priming event (distinct upstream event id) and the stream ended; then the three
 * streams are resumed with their own sealed Last-Event-IDs, each answer reporting {@code _meta.cost_usd: 0.75}. The
 * control sends ids 1, 2, 3 the same way.
 *
 * <p>Gateway accounted: $0.90 + $0.45 = $1.35 (control: $2.25). What happened: three results delivered, $2.25 reported.
 *
 * <p>Suggested fix: key the entry by the stream, not the request id: by the upstream event id(s) the POST's stream
 * sealed (or a per-stream nonce sealed into its event ids next to the StreamCall), so each resumed stream settles
 * exactly the call it was sealed with; at least refuse (or settle at once) a second unanswered call under a key in use.
 */
class ReusedRequestIdResumedCostReviewZTest {

    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;
    private final AtomicInteger streams = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, """
                routes:
                  upstream:
                    default: 0.01
                    tools:
                      synthesize: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            if (request.method() == HttpMethod.GET) {
                // ev-<stream>-<request id>: replays that stream's answer.
                String last = request.getHeader("Last-Event-ID");
                String id = last == null ? "0" : last.substring(last.lastIndexOf('-') + 1);
                request.response().putHeader("content-type", "text/event-stream").end("id: " + last + "-r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}\n\n");
                return;
            }
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*?\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "text/event-stream")
                    .end("id: ev-" + streams.incrementAndGet() + "-" + id + "\nretry: 100\ndata: \n\n");
        });
        gateway = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}\n"
                + TestSessions.YAML));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Three calls with these ids, every stream cut; then all three resumed. Returns the results delivered. */
    private int callThenResumeAll(String token, int... ids) throws Exception {
        List<String> lastEventIds = new ArrayList<>();
        for (int id : ids) {
            TestHttp.Reply posted = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
            Matcher m = EVENT_ID.matcher(posted.body().toString());
            assertThat(m.find()).as(posted.body().toString()).isTrue();
            lastEventIds.add(m.group(1));
            Thread.sleep(100);
        }
        int delivered = 0;
        for (String last : lastEventIds) {
            TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                    .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", last), (Buffer) null);
            assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
            if (resumed.body().toString().contains("\"cost_usd\":0.75")) {
                delivered++;
            }
            Thread.sleep(100);
        }
        Thread.sleep(400);
        return delivered;
    }

    /** Control (passes): distinct ids, each resumed answer charged. */
    @Test
    void controlDistinctIdsArePaidTheirReportedCost() throws Exception {
        int delivered = callThenResumeAll(world.token("acme", "tree-distinct", "run-1"), 1, 2, 3);
        assertThat(delivered).isEqualTo(3);
        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-distinct", 2_250_000L)).isEqualTo(2_250_000L);
    }

    @Test
    void callsSharingARequestIdArePaidTheirReportedCostEach() throws Exception {
        int delivered = callThenResumeAll(world.token("acme", "tree-reused", "run-1"), 7, 7, 7);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-reused", 2_250_000L);

        assertThat(delivered).as("control: every result delivered on its resumed stream").isEqualTo(3);
        assertThat(spent).as("3 results delivered, each reported $0.75").isEqualTo(2_250_000L);
    }
}
