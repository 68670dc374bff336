package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Y, finding (medium): a call the gateway forwarded and then gave up on ({@code response-timeout}: 504
 * {@code upstream_timeout}, the upstream request reset) has its hold released and pays nothing, although the tool runs
 * on at the upstream exactly as it does when the client hangs up, which CompletionRecorder charges the estimate for that
 * reason ("a disconnect does not cancel a call (MCP) and the tool runs on", review revJ). The gateway's own disconnect is
 * treated as if it cancelled the work. How long a tool runs is often the caller's to choose (a crawl depth, a document
 * count, a model's max_tokens), so a caller whose calls outlast the route's timeout runs them without limit: each
 * is refused a result but not the work, and its budget never moves.
 *
 * <p>Input: route {@code response-timeout: 300ms}; synthesize priced $0.30, budget $1.00 per tree; the tool takes 600
 * ms and reports {@code _meta.cost_usd: 0.75}. Six sequential calls.
 *
 * <p>Gateway accounted: $0, 6 of 6 calls forwarded (each 504). What happened: six tool runs, $4.50 reported by the
 * upstream to whoever reads its logs. With calls paying their estimate once sent (as abandoned ones do), 3 would run.
 *
 * <p>Suggested fix: in CompletionRecorder treat {@code upstream_timeout} (and a reset or 5xx after the request was
 * written, for a non-idempotent call) like {@code client_aborted} after sending: settle at the estimate (paid =
 * exchange.sentUpstream()); or send {@code notifications/cancelled} upstream before releasing. The README line "an error
 * or a timeout releases its hold" then needs to say which errors.
 */
class TimedOutCallsFreeReviewYTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = ReviewYBudgetWorld.synthesis(dir);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            vertx.setTimer(600, t -> {
                try {
                    request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                            + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"_meta\":{\"cost_usd\":0.75}}}");
                } catch (RuntimeException gone) {
                    // the gateway reset the request; the work is done
                }
            });
        });
        String yaml = world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}")
                .replace("policy: p}", "policy: p, response-timeout: 300ms}");
        assertThat(yaml).contains("response-timeout: 300ms");
        gateway = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aCallSentAndTimedOutStillCountsAgainstTheBudget() throws Exception {
        String token = world.token("acme", "tree-slow", "run-1");
        int timedOut = 0;
        for (int i = 1; i <= 6; i++) {
            TestHttp.Reply reply = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-06-18",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
            if (reply.status() == 504) {
                timedOut++;
            }
            Thread.sleep(700); // the tool finishes its run
        }
        long spent = ReviewYBudgetWorld.spent(gateway, "acme", "tree-slow");

        assertThat(timedOut).as("control: the route's timeout cut every call the gateway forwarded").isEqualTo(upstream.received().size());
        assertThat(upstream.received().size()).as("tool runs on a $1.00 budget at $0.30 each (ledger: %d micro-USD)", spent)
                .isLessThanOrEqualTo(3);
    }
}
