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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Y, finding (medium/high): a call whose answer comes on a resumed stream is settled without it. MCP 2025-11-25
 * lets a server close a POST's SSE stream after its priming event (an event id, empty data; SEP-1699 "polling") and the
 * client resume with GET + {@code Last-Event-ID}; a client that hangs up does the same. The gateway settles the POST
 * exchange when its stream ends: no response seen, status 200, so paid = statusOk, at the estimate (a client hang-up:
 * the estimate too). The response, with the cost the upstream reports, arrives on the resumed GET, which the gateway
 * relays and polices (ResumptionStage knows the tool, sealed in the event id) but never charges. On a route priced by
 * token usage (route default 0) every such call is free.
 *
 * <p>Input: synthesize priced $0.30, budget $1.00; the upstream answers the POST with {@code id: ev-N / data: (empty)}
 * and ends the stream, and the GET resuming ev-N with the tool's result reporting {@code _meta.cost_usd: 0.75}. Five
 * rounds of POST + resume.
 *
 * <p>Gateway accounted: $0.30 per call, 3 calls run and their results delivered on the $1.00 budget, ledger $0.90.
 * What happened: $2.25 reported. Answered on the POST stream itself, one call would have run.
 *
 * <p>Suggested fix: when a charged call's stream ends without its response, keep the charge open (hold held) under
 * the sealed event ids of that stream, and settle it from the response a resumed stream relays for it (reported cost),
 * or at the estimate when the session ends / after a bound. At the least, read cost from responses on resumed streams
 * and charge the tree of the caller resuming (the event id is bound to that caller) the difference over the estimate.
 */
class ResumedStreamCostReviewYTest {

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
            if (request.method() == HttpMethod.GET) {
                String last = request.getHeader("Last-Event-ID");
                String id = last == null ? "0" : last.replace("ev-", "");
                request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "-r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}\n\n");
                return;
            }
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            // Priming event, then the server closes the stream; the client is to resume with GET (SEP-1699).
            request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "\nretry: 100\ndata: \n\n");
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

    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");

    @Test
    void aCallAnsweredOnAResumedStreamPaysTheCostReportedThere() throws Exception {
        String token = world.token("acme", "tree-resumed", "run-1");
        int delivered = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply posted = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
            Matcher m = EVENT_ID.matcher(posted.body().toString());
            if (!m.find()) {
                continue; // denied: a JSON error, no stream
            }
            TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                    .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", m.group(1)), (Buffer) null);
            assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
            if (resumed.body().toString().contains("\"cost_usd\":0.75")) {
                delivered++;
            }
            Thread.sleep(100);
        }
        Thread.sleep(300);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-resumed", delivered * 750_000L);

        assertThat(delivered).as("control: results delivered on resumed streams").isGreaterThan(0);
        assertThat(spent).as("%d results delivered, each reported $0.75", delivered).isEqualTo(delivered * 750_000L);
    }
}
