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
 * Review Z, confirmed-safe probe (passes; regression value): a stream resumed more than once is charged once. (1) The
 * resumed GET is itself cut after a priming event and resumed again (SEP-1699 polling twice): the answer on the third
 * stream is charged, since the second stream's ids are sealed with the same call. (2) The same stream resumed twice
 * from the same Last-Event-ID, both replays carrying the answer: the first takes the DeferredCosts entry, the second
 * charges nothing. Input: synthesize priced $0.30, the answer reports $0.75. Expected and observed: $0.75 per call.
 */
class ResumedTwiceCostReviewZTest {

    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");

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
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 10.00}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            if (request.method() == HttpMethod.GET) {
                String last = request.getHeader("Last-Event-ID");
                if (last.startsWith("poll-")) {
                    // poll-<id>: cut once more, before the answer
                    request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + last.substring(5) + "\nretry: 100\ndata: \n\n");
                    return;
                }
                String id = last.replace("ev-", "");
                request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "-r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}\n\n");
                return;
            }
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*?\"id\":(\\d+).*", "$1");
            String first = body.contains("\"poll\"") ? "poll-" + id : "ev-" + id;
            request.response().putHeader("content-type", "text/event-stream").end("id: " + first + "\nretry: 100\ndata: \n\n");
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

    private String post(String token, int id, String argument) throws Exception {
        TestHttp.Reply posted = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{\"mode\":\""
                        + argument + "\"}}}");
        Matcher m = EVENT_ID.matcher(posted.body().toString());
        assertThat(m.find()).as(posted.body().toString()).isTrue();
        return m.group(1);
    }

    private TestHttp.Reply resume(String token, String lastEventId) throws Exception {
        TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", lastEventId), (Buffer) null);
        assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
        return resumed;
    }

    @Test
    void aStreamCutAgainOnResumptionIsChargedOnTheNextOne() throws Exception {
        String token = world.token("acme", "tree-poll", "run-1");
        String first = post(token, 1, "poll");
        TestHttp.Reply second = resume(token, first);
        Matcher m = EVENT_ID.matcher(second.body().toString());
        assertThat(m.find()).isTrue();
        assertThat(second.body().toString()).doesNotContain("cost_usd");
        TestHttp.Reply third = resume(token, m.group(1));
        assertThat(third.body().toString()).contains("\"cost_usd\":0.75");
        Thread.sleep(400);

        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-poll", 750_000L)).isEqualTo(750_000L);
    }

    @Test
    void aStreamResumedTwiceFromOneEventIsChargedOnce() throws Exception {
        String token = world.token("acme", "tree-twice", "run-1");
        String first = post(token, 1, "once");
        assertThat(resume(token, first).body().toString()).contains("\"cost_usd\":0.75");
        assertThat(resume(token, first).body().toString()).contains("\"cost_usd\":0.75");
        Thread.sleep(400);

        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-twice", 750_000L)).isEqualTo(750_000L);
    }
}
