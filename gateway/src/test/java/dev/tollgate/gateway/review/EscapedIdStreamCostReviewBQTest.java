package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BQ, finding 1 (medium): the cost of a call answered on an SSE stream is read from an event only when its data
 * holds the text {@code "id"} (ResponseOutcome.onEvent). JSON lets a member name be written with escapes: a response
 * {@code {"jsonrpc":"2.0","\u0069d":1,"result":{...}}} is the call's answer to the gateway's own strict parser (it is
 * policed and relayed as the answer to id 1) and to the TypeScript SDK client (eventsource-parser, JSON.parse,
 * JSONRPCMessageSchema: id 1, the tool's result), but the outcome never reads it: the call is settled as answered with no
 * result seen, at its estimate. The cost the result reports ({@code _meta.cost_usd}) is never charged; a call priced by
 * what it reports (route default 0) is free, and a task it creates is not seen by the late-cost watch.
 *
 * <p>Input: synthesize priced $0.30, the upstream answers with one event reporting $0.75. Control: written plainly, the
 * ledger holds $0.75. With the id's name escaped: $0.30, while the client got the same result.
 */
class EscapedIdStreamCostReviewBQTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;
    private volatile String idName = "id";

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = ReviewYBudgetWorld.synthesis(dir);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "text/event-stream").end("data: {\"jsonrpc\":\"2.0\",\"" + idName + "\":" + id
                    + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}\n\n");
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

    @Test
    void aStreamedAnswerWhoseIdNameIsEscapedPaysTheCostItReports() throws Exception {
        // Control: the id written plainly.
        String plain = callAndRead("tree-plain", 1);
        assertThat(plain).as("control: the client reads the call's answer").contains("\"id\":1").contains("\"cost_usd\":0.75");
        assertThat(spentEventually("tree-plain", 750_000L)).as("control: the reported $0.75 is charged").isEqualTo(750_000L);

        // The same answer, the id's member name written \u0069d: JSON for "id".
        idName = "\\u0069d";
        String escaped = callAndRead("tree-escaped", 2);
        assertThat(escaped).as("the TypeScript SDK client reads it as the answer to call 2, with its result")
                .contains("\"id\":2").contains("\"cost_usd\":0.75");
        assertThat(spentEventually("tree-escaped", 750_000L)).as("the call's answer reported $0.75, which the client received")
                .isEqualTo(750_000L);
    }

    /** Calls synthesize through the gateway and returns what the TypeScript SDK client reads from the relayed stream. */
    private String callAndRead(String tree, int id) throws Exception {
        String token = world.token("acme", tree, "run-1");
        TestHttp.Reply reply = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        Path body = dir.resolve("body-" + tree + ".txt");
        Files.write(body, reply.body().getBytes());
        NodePeers.Result read = NodePeers.run(30, "review-bq-client-reads.mjs", body.toString());
        assertThat(read.exitCode()).as(read.output()).isZero();
        JsonNode messages = JSON.readTree(read.output().trim());
        assertThat(messages.size()).as(read.output()).isEqualTo(1);
        return messages.get(0).toString();
    }

    /** The tree's spend once it reaches {@code expected}, or as it stands after a bounded wait (settling follows the answer). */
    private long spentEventually(String tree, long expected) throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(5));
        long spent = ReviewYBudgetWorld.spent(gateway, "acme", tree);
        while (spent != expected && Instant.now().isBefore(until)) {
            Thread.sleep(50);
            spent = ReviewYBudgetWorld.spent(gateway, "acme", tree);
        }
        return spent;
    }
}
