package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review CK 2: fix AY's per-caller "settled" memory ({@code ToolListAsks.settled}, one minute) is keyed by
 * {@code CallerKey.of(identity)}, which is null for every caller the gateway does not identify (a route with no identity
 * layer whose upstream does its own auth: the client's Authorization is forwarded end to end, to the gateway's own list
 * too). One such caller whose list does not show the tool (its token sees fewer tools) settles the route for ALL
 * unidentified callers: the next caller's call to that tool, whose token's list declares the enum, is forwarded
 * unchecked for the interval. Expected: caller B's out-of-enum value refused, as it is when B calls first (control).
 */
class ToolListSettledAnonymousReviewCKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WIPE = "{\"name\":\"wipe\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
            + "{\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\"]}}}}";

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answerGatewayLists();
        upstream.answer(request -> {
            RecordingUpstream.Received last = upstream.received().get(upstream.received().size() - 1);
            JsonNode body = read(last.body());
            String answer;
            if ("tools/list".equals(body.path("method").asText())) {
                // The upstream lists per token: the limited token's user is not shown wipe.
                boolean full = "Bearer full".equals(last.headers().get("Authorization")) || "full".equals(last.headers().get("X-Api-Key"));
                answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"tools\":[" + (full ? WIPE : "") + "]}}";
            } else {
                answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"wiped\"}]}}";
            }
            request.response().putHeader("content-type", "application/json").end(answer);
        });
        http = new TestHttp(vertx);
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "list-unknown-tools: true", null);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void control_theFullTokensOutOfEnumCallIsRefused() throws Exception {
        JsonNode answer = call("full", 2, "\"DESTROY\"");
        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString())
                .isEqualTo("argument_outside_declared_enum");
    }

    @Test
    void anotherUnidentifiedCallersListSettlesTheRouteForEveryone() throws Exception {
        call("limited", 1, "\"SAFE\""); // its list shows no wipe: settled for caller key null
        JsonNode answer = call("full", 2, "\"DESTROY\"");
        assertThat(answer.path("error").path("data").path("reason").asText())
                .as("the full token's out-of-enum call after the limited one's (upstream got: %s)", methods())
                .isEqualTo("argument_outside_declared_enum");
    }

    /**
     * Review RA: settling no one, every call of an unidentified caller to a tool its list did not show cost a list upstream
     * (any made-up name did). A list settles the calls sent alike (the same token) for the interval, and no other token's.
     */
    @Test
    void oneTokensListSettlesThatTokensCallsOnly() throws Exception {
        call("limited", 1, "\"SAFE\"");
        call("limited", 2, "\"SAFE\"");
        assertThat(methods()).as("the limited token's second call is not listed for again")
                .containsExactly("tools/list", "tools/call", "tools/call");
        JsonNode answer = call("full", 3, "\"DESTROY\"");
        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString())
                .isEqualTo("argument_outside_declared_enum");
    }

    /** Review RC (mine): an upstream authenticating by X-Api-Key: the limited key's list must not settle the full key's calls. */
    @Test
    void aListSettlesNoCallsSentWithAnotherApiKey() throws Exception {
        callWithApiKey("limited", 1, "\"SAFE\"");
        JsonNode answer = callWithApiKey("full", 2, "\"DESTROY\"");
        assertThat(answer.path("error").path("data").path("reason").asText())
                .as("the full key's out-of-enum call after the limited key's (upstream got: %s)", methods())
                .isEqualTo("argument_outside_declared_enum");
    }

    private JsonNode callWithApiKey(String key, int id, String mode) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Api-Key", key);
        TestHttp.Reply reply = http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"mode\":" + mode + "}}}"));
        String text = reply.body().toString();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private List<String> methods() {
        return upstream.received().stream().map(r -> read(r.body()).path("method").asText()).toList();
    }

    private JsonNode call(String bearer, int id, String mode) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + bearer);
        TestHttp.Reply reply = http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"mode\":" + mode + "}}}"));
        String text = reply.body().toString();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private static JsonNode read(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
