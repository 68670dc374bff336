package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AY, finding 1 (medium: a session's or task's calls go to an instance that does not hold it): the instance that
 * issued a session is sealed into the client's {@code Mcp-Session-Id} only when the route has several instances
 * (UpstreamCall.sealSessionId: {@code instances().size() > 1 ? instance.url() : null}), and a task's instance is bound
 * only then too (McpResponseFilter: {@code endpoints().size() > 1}). A seal or binding without an instance means "any
 * instance" (SessionStage.holdsInstance, UpstreamCall.attemptFirst). So the ordinary way to scale out, a reload (or a
 * rolling update) that turns {@code upstream: A} into {@code upstreams: [A, B]}, sends every session and task created
 * before it to B about half of the time: B never issued them (an MCP server answers 404 and the client loses its
 * session, its streams and its subscriptions; a task's follow-up is "not found" or, with B's own ids, someone else's
 * task on B). Likewise a reload that replaces a one-instance route's A by B forwards A's sessions, with A's own
 * upstream session id, to B instead of answering 404 {@code session_not_found} as the README says ("a session whose
 * instance left the configuration ... gets 404").
 * Fix: always seal the issuing instance's URL into the session (and bind the task's instance) whatever the number of
 * instances; a session sealed without one (made by an older version) can be read as the route's first instance.
 */
class InstanceAffinityAcrossReloadReviewAYTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private Path config;
    private Gateway gateway;
    private ReloadWatcher watcher;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        config = dir.resolve("gateway.yaml");
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSessionMadeBeforeTheRouteScaledOutStaysOnItsInstance() throws Exception {
        RecordingUpstream a = sessionUpstream("session-of-a");
        RecordingUpstream b = sessionUpstream("session-of-b");
        startGateway("upstream: \"" + a.url("/mcp") + "\"");
        String session = http.postMcp(port(), "/mcp", INITIALIZE).headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull();
        assertThat(a.received()).hasSize(1);

        reloadTo("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url("/mcp"), b.url("/mcp")));
        for (int i = 0; i < 6; i++) {
            http.send(TestHttp.mcpPost(port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
        }

        assertThat(b.received()).as("calls of a session instance a issued, sent to instance b with a's session id: "
                + b.received().stream().map(r -> r.headers().get("Mcp-Session-Id")).toList()).isEmpty();
        assertThat(a.received()).hasSize(7);
    }

    @Test
    void aSessionWhoseOnlyInstanceWasReplacedIsNotFoundRatherThanSentToTheNewInstance() throws Exception {
        RecordingUpstream a = sessionUpstream("session-of-a");
        RecordingUpstream b = sessionUpstream("session-of-b");
        startGateway("upstream: \"" + a.url("/mcp") + "\"");
        String session = http.postMcp(port(), "/mcp", INITIALIZE).headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull();

        reloadTo("upstream: \"" + b.url("/mcp") + "\"");
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));

        assertThat(b.received()).as("a's upstream session id handed to instance b: "
                + b.received().stream().map(r -> r.headers().get("Mcp-Session-Id")).toList()).isEmpty();
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.reason()).isEqualTo("session_not_found");
    }

    @Test
    void aTaskMadeBeforeTheRouteScaledOutIsFollowedUpOnItsInstance() throws Exception {
        RecordingUpstream a = taskUpstream("job-of-a");
        RecordingUpstream b = taskUpstream("job-of-b");
        startGateway("upstream: \"" + a.url("/mcp") + "\"");
        TestHttp.Reply created = http.postMcp(port(), "/mcp", CALL);
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-of-a");

        reloadTo("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url("/mcp"), b.url("/mcp")));
        for (int i = 0; i < 6; i++) {
            http.postMcp(port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-of-a\"}}");
        }

        assertThat(b.received()).as("follow-ups of a's task sent to instance b").isEmpty();
        assertThat(a.received()).hasSize(7);
    }

    /**
     * The same against two instances of a real MCP TypeScript SDK server that keeps sessions (ts-resumable-server.mjs): a
     * client's session made before the route scaled out gets the SDK's 404 "Session not found" from the new instance on
     * about every other call, i.e. its session is lost.
     */
    @Test
    void aRealSdkSessionSurvivesTheRouteScalingOut() throws Exception {
        dev.tollgate.gateway.support.NodeServer a = dev.tollgate.gateway.support.NodeServer.start("ts-resumable-server.mjs", java.util.Map.of("PORT", "0"));
        closing.add(a);
        dev.tollgate.gateway.support.NodeServer b = dev.tollgate.gateway.support.NodeServer.start("ts-resumable-server.mjs", java.util.Map.of("PORT", "0"));
        closing.add(b);
        startGateway("upstream: \"" + a.url("/mcp") + "\"");
        TestHttp.Reply init = http.send(TestHttp.mcpPost(port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"), Buffer.buffer(INITIALIZE));
        assertThat(init.status()).as(init.body().toString()).isEqualTo(200);
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull();
        http.send(TestHttp.mcpPost(port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Mcp-Session-Id", session),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));

        reloadTo("upstreams: [{url: \"%s\"}, {url: \"%s\"}]\nbalance: round-robin".formatted(a.url("/mcp"), b.url("/mcp")));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25")
                    .putHeader("Mcp-Session-Id", session), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + (10 + i)
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}"));
            statuses.add(reply.status());
        }

        assertThat(statuses).as("the session's calls after the route scaled out (b: " + b.output().lines()
                .filter(l -> l.startsWith("REQUEST")).toList() + ")").containsOnly(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> a.output().lines().filter(l -> l.startsWith("EXECUTED")).count() == 4);
    }

    private int port() {
        return gateway.port();
    }

    private void startGateway(String upstreamYaml) throws Exception {
        Files.writeString(config, yaml(upstreamYaml));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofHours(1));
    }

    private void reloadTo(String upstreamYaml) throws Exception {
        Files.writeString(config, yaml(upstreamYaml));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.toString()).isTrue();
    }

    private String yaml(String upstreamYaml) {
        return """
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
                %s
                """.formatted(dir.resolve("policies"), KEY, upstreamYaml.indent(4).stripTrailing());
    }

    private RecordingUpstream upstream() throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        closing.add(upstream);
        return upstream;
    }

    /** An instance that names its own session on every answer, as an MCP server does after initialize. */
    private RecordingUpstream sessionUpstream(String sessionId) throws Exception {
        RecordingUpstream upstream = upstream();
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("Mcp-Session-Id", sessionId).putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
        });
        return upstream;
    }

    /** An instance whose every tools/call starts a task with the given id (a task-augmented call's answer). */
    private RecordingUpstream taskUpstream(String taskId) throws Exception {
        RecordingUpstream upstream = upstream();
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            String result = body.contains("tools/call") ? "{\"task\":{\"taskId\":\"" + taskId + "\",\"status\":\"working\"}}"
                    : "{\"taskId\":\"" + taskId + "\",\"status\":\"working\"}";
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        return upstream;
    }
}
