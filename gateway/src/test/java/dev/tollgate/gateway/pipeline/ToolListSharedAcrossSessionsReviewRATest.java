package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review RA: the gateway's own tools list ({@link ToolListFetch}) is sent in one call's upstream session, with its
 * credentials, to its instance; a call in another session waiting for "the same" list (same route and caller key: every
 * anonymous caller has one) was handed that list's outcome. A list held (or refused, or 404 for a session gone) in
 * session A failed the call of session B with A's answer ({@code upstream_timeout} here, {@code session_not_found} for a
 * gone session, which makes B's client drop its live session), and B's own session was never listed. Two anonymous
 * clients, each in its own upstream session, a real gateway and a loopback upstream that never answers session A's list.
 */
class ToolListSharedAcrossSessionsReviewRATest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WIPE = "{\"name\":\"wipe\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
            + "{\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\",\"DESTROY\"]}}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aListHeldInOneSessionDoesNotDecideACallInAnother() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> sessionAListed = new CompletableFuture<>();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx)) {
            upstream.answerGatewayLists();
            upstream.answer(request -> {
                RecordingUpstream.Received last = upstream.received().get(upstream.received().size() - 1);
                JsonNode body = body(last);
                String session = last.headers().get("Mcp-Session-Id");
                if ("tools/list".equals(body.path("method").asText()) && "sess-a".equals(session)) {
                    held.add(request); // session A's upstream never answers its list
                    sessionAListed.complete(null);
                    return;
                }
                String result = "tools/list".equals(body.path("method").asText()) ? "{\"tools\":[" + WIPE + "]}"
                        : "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + result + "}");
            });
            Files.createDirectories(dir.resolve("policies"));
            Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
            try (RunningGateway gateway = RunningGateway.start(vertx, """
                    listeners: [{name: public, host: 127.0.0.1, port: 0}]
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: %s}
                    %s
                    routes:
                      - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s", response-timeout: 5s}
                    """.formatted(dir.resolve("policies"), TestSessions.YAML, upstream.url("/mcp")))) {
                // A's call waits for its list (list-unknown-tools is on by default), which its session's upstream holds.
                Future<TestHttp.Reply> a = TestHttp.readWhole(http.raw(), inSession(gateway, "sess-a"), Buffer.buffer(call(1)));
                sessionAListed.get(10, TimeUnit.SECONDS);
                // B, another client in its own live session, calls the same tool while A's list is held.
                TestHttp.Reply b = http.send(inSession(gateway, "sess-b"), Buffer.buffer(call(2)));
                assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
                assertThat(b.json().path("result").path("content").path(0).path("text").asText()).as(b.body().toString()).isEqualTo("done");
                assertThat(upstream.received().stream().map(r -> body(r).path("method").asText() + "@" + r.headers().get("Mcp-Session-Id")))
                        .as("B's session is listed in B's session, and B's call forwarded")
                        .containsExactly("tools/list@sess-a", "tools/list@sess-b", "tools/call@sess-b");
                TestHttp.Reply aReply = a.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                assertThat(aReply.reason()).as(aReply.body().toString()).isEqualTo("upstream_timeout");
            } finally {
                held.forEach(r -> r.response().reset());
            }
        }
    }

    @Test
    void aListSentWithOneClientsTokenDoesNotDecideAnotherTokensCall() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> tokenAListed = new CompletableFuture<>();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx)) {
            upstream.answerGatewayLists();
            upstream.answer(request -> {
                RecordingUpstream.Received last = upstream.received().get(upstream.received().size() - 1);
                JsonNode body = body(last);
                if ("tools/list".equals(body.path("method").asText()) && "Bearer a".equals(last.headers().get("Authorization"))) {
                    held.add(request); // the upstream (its own auth) never answers token a's list
                    tokenAListed.complete(null);
                    return;
                }
                String result = "tools/list".equals(body.path("method").asText()) ? "{\"tools\":[" + WIPE + "]}"
                        : "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + result + "}");
            });
            try (RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "response-timeout: 5s", null)) {
                // Two clients the gateway does not identify (the route has no identity; the upstream reads their tokens).
                Future<TestHttp.Reply> a = TestHttp.readWhole(http.raw(), TestHttp.mcpPost(gateway.port(), "/mcp")
                        .putHeader("Authorization", "Bearer a"), Buffer.buffer(call(1)));
                tokenAListed.get(10, TimeUnit.SECONDS);
                TestHttp.Reply b = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer b"),
                        Buffer.buffer(call(2)));
                assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
                assertThat(upstream.received().stream().map(r -> body(r).path("method").asText() + "@" + r.headers().get("Authorization")))
                        .as("B's list is sent with B's token, and B's call forwarded")
                        .containsExactly("tools/list@Bearer a", "tools/list@Bearer b", "tools/call@Bearer b");
                TestHttp.Reply aReply = a.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                assertThat(aReply.reason()).as(aReply.body().toString()).isEqualTo("upstream_timeout");
            } finally {
                held.forEach(r -> r.response().reset());
            }
        }
    }

    private static RequestOptions inSession(RunningGateway gateway, String upstreamSession) {
        return TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", TestSessions.sealed("tools", upstreamSession));
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"mode\":\"SAFE\"}}}";
    }

    private static JsonNode body(RecordingUpstream.Received received) {
        try {
            return JSON.readTree(received.body().getBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
