package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RefusingPort;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own tools list for a call to a tool it never saw listed ({@link ToolListFetch}) goes where the call goes:
 * the call's balancing choice (one turn for both, the call forwarded to the instance the list reached), failover past an
 * instance that refuses connections, and, when no instance can be reached or none answers in time, the answer the call's
 * forwarding would have got. Real loopback upstreams, a real gateway with a route over several instances, a real client.
 */
class ToolListInstanceChoiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String WIPE = "{\"name\":\"wipe\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
            + "{\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\",\"DESTROY\"]}}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theListAndItsCallTakeOneRoundRobinTurnOnOneInstance() throws Exception {
        RecordingUpstream a = listingUpstream();
        RecordingUpstream b = listingUpstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp")), "");
        for (int i = 0; i < 3; i++) {
            TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(i, "SAFE"));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        }
        // The first call's list and the call went to the same instance in one turn; the next calls alternate from there.
        assertThat(methods(a)).containsExactly("tools/list", "tools/call", "tools/call");
        assertThat(methods(b)).containsExactly("tools/call");
    }

    @Test
    void theListFailsOverPastAnInstanceThatRefusesConnectionsAndTheCallFollowsIt() throws Exception {
        String dead = refusingUrl();
        RecordingUpstream alive = listingUpstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(dead, alive.url("/mcp")), "");
        TestHttp.Reply refused = http.postMcp(gateway.port(), "/mcp", call(1, "ERASE"));
        // The list was read on the live instance: its declared enum holds the call.
        assertThat(refused.reason()).as(refused.body().toString()).isEqualTo("argument_outside_declared_enum");
        TestHttp.Reply done = http.postMcp(gateway.port(), "/mcp", call(2, "SAFE"));
        assertThat(done.status()).as(done.body().toString()).isEqualTo(200);
        assertThat(methods(alive)).containsExactly("tools/list", "tools/call");
        assertThat(gateway.gateway().metrics().scrape()).contains("tollgate_upstream_retries_total{route=\"tools\"} 2.0");
    }

    @Test
    void whenNoInstanceCanBeReachedTheCallGetsUpstreamUnavailableNotToolSchemaUnavailable() throws Exception {
        String dead1 = refusingUrl();
        String dead2 = refusingUrl();
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(dead1, dead2), "");
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(7, "SAFE"));
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("upstream_unavailable");
        assertThat(reply.json().path("id").asInt()).isEqualTo(7);
        assertThat(reply.json().path("error").path("data").path("detail").asText())
                .containsAnyOf(dead1, dead2).contains("is unreachable (connection refused)");
    }

    @Test
    void aListNotAnsweredWithinTheResponseTimeoutIsTheCallsUpstreamTimeout() throws Exception {
        RecordingUpstream silent = new RecordingUpstream(vertx);
        closing.add(silent);
        silent.answerGatewayLists();
        List<HttpServerRequest> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        silent.answer(held::add);
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}]".formatted(silent.url("/mcp")), "response-timeout: 1s");
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(7, "SAFE"));
        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("upstream_timeout");
        assertThat(methods(silent)).containsExactly("tools/list");
        held.forEach(r -> r.response().reset());
    }

    private static String call(int id, String mode) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"mode\":\""
                + mode + "\"}}}";
    }

    /** An instance that lists {@code wipe} and answers every call with a result, recording the gateway's own lists too. */
    private RecordingUpstream listingUpstream() throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        closing.add(upstream);
        upstream.answerGatewayLists();
        Handler<HttpServerRequest> answer = request -> {
            JsonNode body = body(upstream.received().get(upstream.received().size() - 1));
            String result = "tools/list".equals(body.path("method").asText()) ? "{\"tools\":[" + WIPE + "]}"
                    : "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
            request.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + result + "}");
        };
        upstream.answer(answer);
        return upstream;
    }

    private static JsonNode body(RecordingUpstream.Received received) {
        try {
            return JSON.readTree(received.body().getBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> methods(RecordingUpstream upstream) {
        return upstream.received().stream().map(r -> body(r).path("method").asText()).toList();
    }

    private RunningGateway gateway(String upstreamsYaml, String routeExtra) throws Exception {
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: 1s
                    list-unknown-tools: true
                %s
                %s
                """.formatted(dir.resolve("policies"), KEY, upstreamsYaml.indent(4).stripTrailing(), routeExtra.indent(4).stripTrailing());
        RunningGateway gateway = RunningGateway.start(vertx, yaml);
        closing.add(gateway);
        return gateway;
    }

    private String refusingUrl() throws Exception {
        RefusingPort port = new RefusingPort();
        closing.add(port);
        return port.url("/mcp");
    }
}
