package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream whose JSON answers the gateway cannot read as the client will: none of it reaches the client,
 * which gets the gateway's 502 with a stable reason and its request's id. Streams and policy on server
 * requests are covered by the attacker's catalog (ServerAttacksTest).
 */
class HostileAnswersTest {

    private static final int MAX_INSPECTED_BYTES = 4096;
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}";

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, "limits:\n  max-inspected-response-bytes: " + MAX_INSPECTED_BYTES + "\n");
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void readableAnswerIsRelayedByteForByteAndCompressionIsNeverAskedFor() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end(ANSWER));

        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Accept-Encoding", "gzip, br"), Buffer.buffer(CALL));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).isEqualTo(ANSWER);
        assertThat(upstream.received().get(0).headers().contains("Accept-Encoding")).as("the gateway reads every answer: it asks for it uncompressed").isFalse();
    }

    @Test
    void unparseableAnswerIsRefusedWithTheRequestsId() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[]},\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"other\"}]}}"));

        assertRefused(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    @Test
    void anAnswerWithAnExponentBeyondAnIntIsRefusedNotLeftHanging() throws Exception {
        // Read exactly, 1e99999999999 made Jackson throw NumberFormatException out of the parser (found in review):
        // the answer was neither relayed nor refused until the response timeout.
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[],\"structuredContent\":{\"n\":1e99999999999}}}"));

        assertRefused(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    @Test
    void anAnswerWithANumberADoubleHoldsAsZeroIsRefused() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[],\"structuredContent\":{\"n\":1e-400}}}"));

        assertRefused(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    @Test
    void compressedAnswerIsRefused() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "br").end(ANSWER));

        assertRefused(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    @Test
    void answerInAnotherCharsetIsRefused() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json; charset=iso-8859-1").end(ANSWER));

        assertRefused(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    @Test
    void answerOverTheInspectedLimitIsRefusedByItsLength() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end(padded(MAX_INSPECTED_BYTES)));

        assertRefused(RejectReason.UPSTREAM_RESPONSE_TOO_LARGE);
    }

    @Test
    void chunkedAnswerOverTheInspectedLimitIsRefusedWhileReading() throws Exception {
        upstream.answer(r -> {
            String body = padded(MAX_INSPECTED_BYTES);
            r.response().setChunked(true).putHeader("Content-Type", "application/json");
            r.response().write(body.substring(0, 100));
            r.response().end(body.substring(100));
        });

        assertRefused(RejectReason.UPSTREAM_RESPONSE_TOO_LARGE);
    }

    @Test
    void acceptedCarriesNoBodyWhateverTheUpstreamPutsInIt() throws Exception {
        upstream.answer(r -> r.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"sampling/createMessage\",\"params\":{}}"));

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().length()).isZero();
    }

    @Test
    void anEndlessAcceptedBodyIsDrainedWithinABoundAndTheClientGetsItsAccepted() throws Exception {
        upstream.answer(r -> {
            r.response().setStatusCode(202).setChunked(true).putHeader("Content-Type", "application/json");
            // 64 KiB chunks, far past what the gateway drains, and the answer never ends.
            Buffer chunk = Buffer.buffer("x".repeat(64 * 1024));
            for (int i = 0; i < 40; i++) {
                r.response().write(chunk);
            }
        });

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().length()).isZero();
    }

    @Test
    void answersToDeniedServerRequestsAreBoundedPerCall() throws Exception {
        gateway.close();
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"),
                "name: no-sampling\ndefaults: {action: allow}\nrules:\n  - {name: no-sampling, condition: {method: sampling/createMessage}, action: deny}\n",
                null, null);
        int requests = ServerRequestAnswers.MAX_ANSWERS_IN_FLIGHT * 3;
        upstream.answer(r -> {
            if (r.method() == io.vertx.core.http.HttpMethod.POST && !upstream.received().get(upstream.received().size() - 1).body().toString().contains("\"method\"")) {
                return; // an answer on the client's behalf: held forever, as a hostile upstream would
            }
            StringBuilder events = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                events.append("data: {\"jsonrpc\":\"2.0\",\"id\":\"s").append(i)
                        .append("\",\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[],\"maxTokens\":1}}\n\n");
            }
            events.append("data: ").append(ANSWER).append("\n\n");
            r.response().putHeader("Content-Type", "text/event-stream").end(events.toString());
        });

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"ok\"").doesNotContain("sampling/createMessage");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> upstream.received().size() >= 1 + ServerRequestAnswers.MAX_ANSWERS_IN_FLIGHT);
        Thread.sleep(300); // any answer past the bound would have been sent by now
        assertThat(upstream.received()).as("the call, then at most the bound of answers held by the upstream")
                .hasSize(1 + ServerRequestAnswers.MAX_ANSWERS_IN_FLIGHT);
    }

    @Test
    void aToolsListFilteredForTheCallerIsNeverMarkedShareable() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end(
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}],"
                        + "\"resultType\":\"complete\",\"cacheScope\":\"public\",\"ttlMs\":3600000}}"));

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("result").path("cacheScope").asText()).isEqualTo("private");
        assertThat(reply.json().path("result").path("ttlMs").asLong()).isEqualTo(McpResponseFilter.MAX_FILTERED_LIST_TTL_MS);
        assertThat(reply.json().path("result").path("tools").get(0).path("name").asText()).isEqualTo("echo");
    }

    @Test
    void errorStatusesPassUnread() throws Exception {
        upstream.answer(r -> r.response().setStatusCode(404).putHeader("Content-Type", "text/html").end("<h1>no session</h1>"));

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().toString()).isEqualTo("<h1>no session</h1>");
    }

    private void assertRefused(RejectReason reason) throws Exception {
        double before = gateway.gateway().metrics().rejectCount(reason);

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).isEqualTo(reason.code());
        assertThat(reply.json().path("id").asInt()).isEqualTo(41);
        assertThat(reply.body().toString()).doesNotContain("other").doesNotContain("\"ok\"");
        assertThat(gateway.gateway().metrics().rejectCount(reason)).isEqualTo(before + 1);
    }

    private static String padded(int atLeast) {
        return "{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "x".repeat(atLeast) + "\"}]}}";
    }
}
