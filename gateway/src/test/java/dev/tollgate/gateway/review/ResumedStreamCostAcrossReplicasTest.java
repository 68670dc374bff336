package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call whose stream ended before its answer pays what the answer reports on the stream the caller resumes, through
 * whichever replica the resume reaches (review Y's resumed-stream cost, across replicas: only the replica that saw the
 * call remembered it, so a client resuming through another, as a load balancer may send it, paid the estimate). With
 * {@code tasks: {store: redis}} the entry is shared and taken once. The upstream closes each POST's stream after its
 * priming event (SEP-1699) and answers the resuming GET with the result, reporting $0.75; the call is priced $0.30.
 */
class ResumedStreamCostAcrossReplicasTest {

    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway replica1;
    private RunningGateway replica2;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = RedisServer.start();
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
            request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "\nretry: 100\ndata: \n\n");
        });
        String shared = "budgets: {pricing: PRICING, ledger: redis, cache-ttl: 100ms, cache-max-age: 200ms}\ntasks: {store: redis}\n"
                + "redis: {uri: \"" + redis.uri() + "\", timeout: 2s}\n" + TestSessions.YAML;
        replica1 = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), shared));
        replica2 = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), shared));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        replica1.close();
        replica2.close();
        upstream.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String call(RunningGateway replica, String token, int id) throws Exception {
        TestHttp.Reply posted = ReviewYBudgetWorld.post(http, replica.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
        Matcher m = EVENT_ID.matcher(posted.body().toString());
        assertThat(m.find()).as(posted.body().toString()).isTrue();
        return m.group(1);
    }

    private TestHttp.Reply resume(RunningGateway replica, String token, String eventId) throws Exception {
        TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(replica.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", eventId), (Buffer) null);
        assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
        assertThat(resumed.body().toString()).contains("\"cost_usd\":0.75");
        return resumed;
    }

    @Test
    void aStreamResumedThroughAnotherReplicaPaysWhatItsAnswerReportsOnce() throws Exception {
        String token = world.token("acme", "tree-across", "run-1");
        String eventId = call(replica1, token, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-across") == 300_000);
        Thread.sleep(200); // the entry's write to Redis is on its way as the priming event reaches the client

        resume(replica2, token, eventId);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-across") == 750_000);

        // Resumed again, through either replica: the entry was taken.
        resume(replica1, token, eventId);
        resume(replica2, token, eventId);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", "tree-across")).isEqualTo(750_000);
    }

    @Test
    void aStreamResumedThroughTheSameReplicaPaysOnceToo() throws Exception {
        String token = world.token("acme", "tree-same", "run-1");
        String eventId = call(replica1, token, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-same") == 300_000);

        resume(replica1, token, eventId);
        await().atMost(Duration.ofSeconds(5)).until(() -> ReviewYBudgetWorld.spent(replica1, "acme", "tree-same") == 750_000);
        resume(replica2, token, eventId);
        resume(replica1, token, eventId);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spent(replica1, "acme", "tree-same")).as("the other replica finds nothing left to charge").isEqualTo(750_000);
    }
}
