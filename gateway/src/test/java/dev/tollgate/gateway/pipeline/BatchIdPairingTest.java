package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers are paired with calls by id, and result rules are chosen by the call's tool. A batch whose ids the gateway
 * and the upstream pair differently would let one tool's result pass as another's (found in review: the TypeScript SDK
 * answers two calls sharing id 1 with whichever finishes first, and the gateway filed it under the other tool; an
 * upstream reading ids as doubles answers 2^53 + 1 as 2^53, the id of a ping, and no result rule ran at all).
 */
class BatchIdPairingTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: customer-cards-withheld
                condition:
                  all:
                    - direction: result
                    - tool: read_customer
                    - check: {name: pii, args: {kinds: [card]}}
                action: deny
              - name: any-secret-withheld
                condition:
                  all:
                    - direction: result
                    - check: {name: secrets}
                action: deny
            """;
    private static final String CARD = "card 4111 1111 1111 1111";
    private static final String AWS = "AKIAIOSFODNN7EXAMPLE";

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply post(String body) throws Exception {
        // Batches exist up to MCP 2025-03-26.
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"), Buffer.buffer(body));
    }

    private void upstreamAnswers(String json) {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end(json));
    }

    private static String call(String id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }

    @Test
    void aCardInReadCustomersResultIsWithheld() throws Exception {
        upstreamAnswers("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + CARD + "\"}]}}");

        TestHttp.Reply reply = post(call("1", "read_customer"));

        assertThat(reply.body().toString()).contains("result_denied").doesNotContain("4111");
    }

    @Test
    void twoCallsOfOneIdAreRefusedBeforeTheUpstreamSeesThem() throws Exception {
        upstreamAnswers("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + CARD + "\"}]}}");

        TestHttp.Reply reply = post("[" + call("1", "read_customer") + "," + call("1", "slow_public") + "]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("duplicate_id");
        assertThat(reply.body().toString()).doesNotContain("4111");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anIdAJavaScriptUpstreamReadsAsAnotherIsRefused() throws Exception {
        upstreamAnswers("[{\"jsonrpc\":\"2.0\",\"id\":9007199254740992,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"key " + AWS + "\"}]}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":9007199254740992,\"result\":{}}]");

        TestHttp.Reply reply = post("[" + call("9007199254740993", "read_config") + ",{\"jsonrpc\":\"2.0\",\"id\":9007199254740992,\"method\":\"ping\"}]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("invalid_id");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anAnswerPairingTwoResultsWithOneIdIsNotRelayed() throws Exception {
        // Distinct ids in the call; the upstream answers read_customer's card under id 2 as well as under id 1.
        upstreamAnswers("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + CARD + "\"}]}}]");

        TestHttp.Reply reply = post("[" + call("1", "slow_public") + "," + call("2", "read_customer") + "]");

        assertThat(reply.body().toString()).doesNotContain("4111");
        assertThat(reply.status()).isEqualTo(502);
    }
}
