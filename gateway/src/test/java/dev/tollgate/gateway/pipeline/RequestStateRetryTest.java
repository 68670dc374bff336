package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MCP 2026-07-28 multi-round-trip retries through the gateway, against an upstream that answers a first call
 * {@code input_required} with a requestState the test chooses (JSON or SSE) and a retry with the state it was sent. The
 * gateway relays the state sealed to the caller and the call, forwards the upstream its own state on the retry (in a
 * body it writes), and refuses every other requestState with 400 {@code invalid_params}, forwarding nothing; an upstream
 * state it cannot seal (too long, not a string) is not relayed.
 */
class RequestStateRetryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSTREAM_STATE = "\"up-state-1\"";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private TestHttp http;
    /** The requestState member the upstream's input_required answer carries, as JSON. */
    private final AtomicReference<String> upstreamState = new AtomicReference<>(UPSTREAM_STATE);
    private volatile boolean streamed;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            JsonNode state = body.path("params").get("requestState");
            String result = state == null ? "{\"resultType\":\"input_required\",\"inputRequests\":{},\"requestState\":" + upstreamState.get() + "}"
                    : "{\"content\":[{\"type\":\"text\",\"text\":" + JSON.valueToTree("resumed " + state.asText()) + "}]}";
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + result + "}";
            if (streamed) {
                request.response().putHeader("Content-Type", "text/event-stream").end("event: message\ndata: " + answer + "\n\n");
            } else {
                request.response().putHeader("Content-Type", "application/json").end(answer);
            }
        });
        tokens = TenantTokens.in(dir);
        gateway = RunningGateway.start(vertx, tokens.allowAllMcpYaml(dir, "tools", upstream.url("/mcp")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply post(String tenant, String json) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")), Buffer.buffer(json));
    }

    /** The one JSON-RPC message of an answer, JSON or an SSE stream's. */
    private static JsonNode message(TestHttp.Reply reply) throws Exception {
        String text = reply.body().toString();
        if (text.startsWith("{")) {
            return JSON.readTree(text);
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("data:") && line.length() > 6) {
                return JSON.readTree(line.substring(5).trim());
            }
        }
        throw new AssertionError("no message in " + text);
    }

    private static String call(int id, String tool, String arguments, String requestState) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments
                + (requestState == null ? "" : ",\"inputResponses\":{},\"requestState\":" + requestState) + "}}";
    }

    /** The requestState acme is handed for its first call of transfer{to: bob, amount: 10}. */
    private String relayedState() throws Exception {
        JsonNode first = message(post("acme", call(1, "transfer", "{\"to\":\"bob\",\"amount\":10}", null)));
        assertThat(first.at("/result/resultType").asText()).as(first.toString()).isEqualTo("input_required");
        return first.at("/result/requestState").asText();
    }

    private void assertRefusedAndNotForwarded(TestHttp.Reply reply, int id, int forwardedBefore) throws Exception {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("invalid_params");
        assertThat(reply.json().at("/error/data/detail").asText()).contains("not a state this gateway relayed to you for this call");
        assertThat(reply.json().get("id").asInt()).isEqualTo(id);
        assertThat(upstream.received()).as("nothing reached the upstream").hasSize(forwardedBefore);
    }

    @Test
    void theStateIsRelayedSealedAndTheRetryForwardsTheUpstreamsOwnInABodyTheGatewayWrites() throws Exception {
        String sealed = relayedState();
        assertThat(sealed).isNotEmpty().doesNotContain("up-state").matches("[A-Za-z0-9_-]+");

        // Written by the gateway from the request it decided: the params keep their order, the state replaced in place.
        TestHttp.Reply retried = post("acme", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"to\":\"bob\",\"amount\":10},\"inputResponses\":{\"k\":{\"action\":\"accept\"}},\"requestState\":\"" + sealed + "\"}}");

        assertThat(message(retried).at("/result/content/0/text").asText()).as(retried.body().toString()).isEqualTo("resumed up-state-1");
        assertThat(upstream.received().get(1).body().toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"transfer\",\"arguments\":{\"to\":\"bob\",\"amount\":10},\"inputResponses\":{\"k\":{\"action\":\"accept\"}},"
                + "\"requestState\":\"up-state-1\"}}");
    }

    @Test
    void theSameArgumentsWrittenAnotherWayStillRetry() throws Exception {
        String sealed = relayedState();

        JsonNode retried = message(post("acme", call(2, "transfer", "{ \"amount\": 10.0, \"to\": \"bob\" }", "\"" + sealed + "\"")));

        assertThat(retried.at("/result/content/0/text").asText()).as(retried.toString()).isEqualTo("resumed up-state-1");
    }

    @Test
    void aMadeUpStateIsRefusedAndNotForwarded() throws Exception {
        assertRefusedAndNotForwarded(post("acme", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"{\\\"to\\\":\\\"mallory\\\"}\"")), 2, 0);
    }

    @Test
    void anotherCallersStateIsRefusedAndNotForwarded() throws Exception {
        String sealed = relayedState();

        assertRefusedAndNotForwarded(post("globex", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"")), 2, 1);
    }

    @Test
    void aStateRetriedWithOtherArgumentsOrForAnotherToolIsRefusedAndNotForwarded() throws Exception {
        String sealed = relayedState();

        assertRefusedAndNotForwarded(post("acme", call(2, "transfer", "{\"to\":\"mallory\",\"amount\":10}", "\"" + sealed + "\"")), 2, 1);
        assertRefusedAndNotForwarded(post("acme", call(3, "transfer", "{\"to\":\"bob\"}", "\"" + sealed + "\"")), 3, 1);
        assertRefusedAndNotForwarded(post("acme", call(4, "pay", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"")), 4, 1);
        // The same name and arguments under another method (prompt arguments are strings: a call with such arguments first).
        String stringArguments = message(post("acme", call(5, "transfer", "{\"to\":\"bob\"}", null))).at("/result/requestState").asText();
        assertRefusedAndNotForwarded(post("acme", "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"prompts/get\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"to\":\"bob\"},\"requestState\":\"" + stringArguments + "\"}}"), 6, 2);
    }

    @Test
    void anEditedStateIsRefusedAndNotForwarded() throws Exception {
        String sealed = relayedState();
        String edited = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("AA") ? "BA" : "AA");

        assertRefusedAndNotForwarded(post("acme", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + edited + "\"")), 2, 1);
    }

    @Test
    void aStateThatIsNotAStringIsRefusedAndNotForwarded() throws Exception {
        for (String state : List.of("null", "{\"to\":\"mallory\"}", "42", "[\"up-state-1\"]")) {
            assertRefusedAndNotForwarded(post("acme", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", state)), 2, 0);
        }
    }

    @Test
    void aStateInABatchIsRefusedAndNothingIsForwarded() throws Exception {
        String sealed = relayedState();

        TestHttp.Reply reply = post("acme", "[" + call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"") + ","
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}]");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("invalid_params");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aRetriedListPageGetsBothItsCursorAndItsStateBackAsTheUpstreamWroteThem() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":"
                + (upstream.received().size()) + ",\"result\":{\"tasks\":[],\"nextCursor\":\"up-cursor\",\"resultType\":\"input_required\","
                + "\"requestState\":\"up-state\"}}"));
        JsonNode first = message(post("acme", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/list\",\"params\":{}}"));
        String cursor = first.at("/result/nextCursor").asText();
        String state = first.at("/result/requestState").asText();
        assertThat(first.toString()).as("both sealed").doesNotContain("up-cursor").doesNotContain("up-state");

        post("acme", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/list\",\"params\":{\"cursor\":\"" + cursor + "\",\"requestState\":\"" + state + "\"}}");

        assertThat(upstream.received().get(1).body().toString())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/list\",\"params\":{\"cursor\":\"up-cursor\",\"requestState\":\"up-state\"}}");
    }

    @Test
    void aStreamedInputRequiredAnswerIsRelayedSealedAndItsRetryCompletes() throws Exception {
        streamed = true;
        TestHttp.Reply first = post("acme", call(1, "transfer", "{\"to\":\"bob\",\"amount\":10}", null));
        assertThat(first.headers().get("Content-Type")).startsWith("text/event-stream");
        String sealed = message(first).at("/result/requestState").asText();
        assertThat(first.body().toString()).doesNotContain("up-state");

        JsonNode retried = message(post("acme", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"")));

        assertThat(retried.at("/result/content/0/text").asText()).as(retried.toString()).isEqualTo("resumed up-state-1");
        assertRefusedAndNotForwarded(post("globex", call(3, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"")), 3, 2);
    }

    @Test
    void anUpstreamStateOfTheLongestSealedLengthIsRelayedSealed() throws Exception {
        upstreamState.set("\"" + "s".repeat(SealedSessions.MAX_REQUEST_STATE_BYTES) + "\"");

        String sealed = relayedState();
        JsonNode retried = message(post("acme", call(2, "transfer", "{\"to\":\"bob\",\"amount\":10}", "\"" + sealed + "\"")));

        assertThat(retried.at("/result/content/0/text").asText()).isEqualTo("resumed " + "s".repeat(SealedSessions.MAX_REQUEST_STATE_BYTES));
    }

    @Test
    void anUpstreamStateTooLongToSealIsNotRelayed() throws Exception {
        for (boolean stream : List.of(false, true)) {
            streamed = stream;
            upstreamState.set("\"" + "s".repeat(SealedSessions.MAX_REQUEST_STATE_BYTES + 1) + "\"");

            TestHttp.Reply reply = post("acme", call(1, "transfer", "{\"to\":\"bob\",\"amount\":10}", null));

            JsonNode answer = message(reply);
            assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("upstream_invalid_response");
            assertThat(answer.at("/error/data/detail").asText()).contains("longer than the " + SealedSessions.MAX_REQUEST_STATE_BYTES + " bytes");
            assertThat(answer.get("id").asInt()).isEqualTo(1);
            assertThat(reply.body().toString()).doesNotContain("sssss").doesNotContain("input_required");
        }
    }

    @Test
    void anUpstreamStateThatIsNotAStringIsNotRelayed() throws Exception {
        for (String state : List.of("{\"to\":\"bob\"}", "null", "7")) {
            upstreamState.set(state);

            JsonNode answer = message(post("acme", call(1, "transfer", "{\"to\":\"bob\",\"amount\":10}", null)));

            assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("upstream_invalid_response");
            assertThat(answer.at("/error/data/detail").asText()).contains("requestState is not a string");
            assertThat(answer.has("result")).isFalse();
        }
    }
}
