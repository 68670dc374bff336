package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tools/call answer is first scanned without a tree (PlainResultScan): an ordinary result passes byte for byte,
 * and every answer holding something the gateway acts on, or that its strict read refuses, still gets the whole
 * read. Each case here looks like an ordinary result to a glance at its first members.
 */
class PlainAnswersTest {

    private static final String POLICY = """
            name: plain-answers
            defaults: {action: allow}
            rules:
              - {name: no-delete, condition: {tool: delete_everything}, action: deny}
              - {name: no-sampling, condition: {method: sampling/createMessage}, action: deny}
            """;
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

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

    private TestHttp.Reply call(String answer) throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end(answer));
        return http.postMcp(gateway.port(), "/mcp", CALL);
    }

    @Test
    void anOrdinaryResultPassesByteForByte() throws Exception {
        String answer = "{ \"result\" : {\"content\":[{\"type\":\"text\",\"text\":\"caf\\u00e9 1e5\"}],\"structuredContent\":{\"n\":1.0E2}},"
                + "\"id\":41, \"jsonrpc\":\"2.0\" }\n";

        TestHttp.Reply reply = call(answer);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).isEqualTo(answer);
    }

    /** The answer written in pieces with pauses between them, so the gateway reads it as several chunks. */
    private TestHttp.Reply callInPieces(String answer, boolean declareLength) throws Exception {
        byte[] bytes = answer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        upstream.answer(r -> {
            var response = r.response().putHeader("Content-Type", "application/json");
            if (declareLength) {
                response.putHeader("Content-Length", String.valueOf(bytes.length));
            } else {
                response.setChunked(true);
            }
            int piece = bytes.length / 3 + 1;
            for (int i = 0; i < 3; i++) {
                int from = Math.min(bytes.length, i * piece);
                int to = Math.min(bytes.length, from + piece);
                boolean last = i == 2;
                vertx.setTimer(1 + 40L * i, t -> {
                    io.vertx.core.buffer.Buffer part = io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(bytes, from, to));
                    if (last) {
                        response.end(part);
                    } else {
                        response.write(part);
                    }
                });
            }
        });
        return http.postMcp(gateway.port(), "/mcp", CALL);
    }

    @Test
    void anAnswerArrivingInSeveralChunksIsReadWholeEitherWay() throws Exception {
        String plain = "{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "x".repeat(3000) + "\"}]}}";
        String smuggled = "{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "y".repeat(3000)
                + "\"}],\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}},{\"name\":\"delete_everything\",\"inputSchema\":{\"type\":\"object\"}}]}}";
        for (boolean declared : new boolean[] {true, false}) {
            TestHttp.Reply relayed = callInPieces(plain, declared);
            assertThat(relayed.status()).isEqualTo(200);
            assertThat(relayed.body().toString()).as("declared length %s", declared).isEqualTo(plain);

            TestHttp.Reply filtered = callInPieces(smuggled, declared);
            assertThat(filtered.status()).isEqualTo(200);
            assertThat(filtered.json().at("/result/tools")).as("declared length %s", declared).hasSize(1);
            assertThat(filtered.json().at("/result/content/0/text").asText()).isEqualTo("y".repeat(3000));
        }
    }

    @Test
    void aToolsListSmuggledIntoACallsResultIsStillFiltered() throws Exception {
        TestHttp.Reply reply = call("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[],"
                + "\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}},{\"name\":\"delete_everything\",\"inputSchema\":{\"type\":\"object\"}}]}}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().at("/result/tools")).hasSize(1);
        assertThat(reply.json().at("/result/tools/0/name").asText()).isEqualTo("echo");
    }

    @Test
    void aDeniedRequestATaskWaitsOnStillTurnsTheAnswerIntoTheDenial() throws Exception {
        TestHttp.Reply reply = call("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[],\"task\":null,\"status\":{\"inputRequests\":"
                + "{\"s1\":{\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[],\"maxTokens\":5}}}}}}");

        assertThat(reply.body().toString()).doesNotContain("sampling/createMessage");
        assertThat(reply.json().path("error").path("data").path("reason").asText()).isEqualTo(RejectReason.POLICY_DENIED.code());
    }

    @Test
    void aDuplicateKeyDeepInAResultIsStillRefused() throws Exception {
        TestHttp.Reply reply = call("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\",\"text\":\"other\"}]}}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).isEqualTo(RejectReason.UPSTREAM_INVALID_RESPONSE.code());
        assertThat(reply.body().toString()).doesNotContain("other");
    }

    @Test
    void aResultForAnotherRequestIsStillRefused() throws Exception {
        TestHttp.Reply reply = call("{\"jsonrpc\":\"2.0\",\"id\":\"41\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).isEqualTo(RejectReason.UPSTREAM_INVALID_RESPONSE.code());
    }
}
