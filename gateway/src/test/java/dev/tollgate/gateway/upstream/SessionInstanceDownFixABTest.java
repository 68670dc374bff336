package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AB: since fix T, a session whose instance refuses the connection gets 502 {@code upstream_unavailable} (504 on the
 * connect timeout) rather than 404 {@code session_not_found}, so a brief outage does not end it. But an instance that is
 * dead for good (still listed in the configuration) left its sessions with 502 on every call forever: MCP clients start a
 * new session on a 404 only. Now a session whose instance the route's active health check has taken out (unhealthy after
 * {@code unhealthy-after} failed probes) while another instance is healthy gets 404 {@code session_not_found} (the
 * JSON-RPC error clients act on; counted and logged as {@code session_instance_down}), on POST, a resumed GET and DELETE,
 * and nothing is forwarded; a new initialize is served by the healthy instance. While the health check calls the
 * instance healthy (merely refusing, or passively ejected for failing calls) the call still gets 502; with no instance
 * healthy (a check wrong everywhere, panic mode) the session's calls are still forwarded.
 */
class SessionInstanceDownFixABTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String VERSION = "2025-11-25";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

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
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /**
     * Two instances of a real MCP TypeScript SDK server that keeps sessions and event ids (ts-resumable-server.mjs); the
     * instance holding the session is killed and the health check takes it out.
     */
    @Test
    void aSessionOfAnInstanceHealthChecksTookOutIsNotFoundAndANewSessionIsServedByTheOtherInstance() throws Exception {
        NodeServer a = node();
        NodeServer b = node();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                health-check: {interval: 1s, timeout: 1s, unhealthy-after: 2, healthy-after: 1}""".formatted(a.url("/mcp"), b.url("/mcp")));
        String session = initialize(gateway);
        TestHttp.Reply before = sdkCall(gateway, session, "before");
        assertThat(before.status()).as(before.body().toString()).isEqualTo(200);
        String eventId = before.body().toString().lines().filter(l -> l.startsWith("id:")).map(l -> l.substring(3).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no event id in " + before.body()));
        await().atMost(Duration.ofSeconds(10)).until(() -> executed(a) + executed(b) == 1);
        NodeServer holder = executed(a) == 1 ? a : b;
        NodeServer other = holder == a ? b : a;
        List<String> holderSessions = holder.output().lines().filter(l -> l.startsWith("REQUEST") && !l.contains("\"session\":null"))
                .map(l -> l.replaceAll(".*\"session\":\"([^\"]+)\".*", "$1")).distinct().toList();
        assertThat(holderSessions).hasSize(1);
        holder.close();
        closing.remove(holder);
        awaitHealthy(gateway, holder.url("/mcp"), false);
        awaitHealthy(gateway, other.url("/mcp"), true);

        TestHttp.Reply post = sdkCall(gateway, session, "after");
        TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("MCP-Protocol-Version", VERSION)
                .putHeader("Mcp-Session-Id", session).putHeader("Last-Event-ID", eventId), null);
        TestHttp.Reply deleted = http.send(new RequestOptions().setMethod(HttpMethod.DELETE).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("MCP-Protocol-Version", VERSION).putHeader("Mcp-Session-Id", session), null);

        for (TestHttp.Reply reply : List.of(post, resumed, deleted)) {
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(404);
            assertThat(reply.reason()).isEqualTo("session_not_found");
            assertThat(reply.errorCode()).isEqualTo(RejectReason.SESSION_NOT_FOUND.jsonRpcCode());
            assertThat(reply.json().at("/error/data/detail").asText()).contains("down");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.gateway().metrics().rejectCount(RejectReason.SESSION_INSTANCE_DOWN) == 3);
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.SESSION_NOT_FOUND)).isZero();
        assertThat(other.output().lines().filter(l -> l.startsWith("REQUEST")).filter(l -> holderSessions.stream().anyMatch(l::contains)))
                .as("the dead instance's session sent to the other").isEmpty();

        String fresh = initialize(gateway);
        assertThat(fresh).isNotEqualTo(session);
        TestHttp.Reply served = sdkCall(gateway, fresh, "again");
        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(served.body().toString()).contains("echo: again");
        await().atMost(Duration.ofSeconds(10)).until(() -> executed(other) == 1);
    }

    /** An instance that still takes connections but fails its probes: taken out, its session is refused unforwarded. */
    @Test
    void nothingIsForwardedToAnInstanceHealthChecksTookOutAndItsSessionIsServedAgainOnceItIsBack() throws Exception {
        AtomicBoolean sick = new AtomicBoolean();
        RecordingUpstream a = sessionUpstream("session-of-a", sick);
        RecordingUpstream b = sessionUpstream("session-of-b", new AtomicBoolean());
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                health-check: {interval: 1s, timeout: 1s, unhealthy-after: 2, healthy-after: 1}""".formatted(a.url("/mcp"), b.url("/mcp")));
        String session = sessionOn(gateway, a);
        sick.set(true);
        awaitHealthy(gateway, a.url("/mcp"), false);
        awaitHealthy(gateway, b.url("/mcp"), true);

        TestHttp.Reply refused = call(gateway, session);

        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(404);
        assertThat(refused.reason()).isEqualTo("session_not_found");
        assertThat(calls(a)).as("forwarded to the instance the health check took out").isZero();
        assertThat(calls(b)).as("moved to another instance").isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.gateway().metrics().rejectCount(RejectReason.SESSION_INSTANCE_DOWN) == 1);

        sick.set(false);
        awaitHealthy(gateway, a.url("/mcp"), true);
        TestHttp.Reply served = call(gateway, session);
        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(calls(a)).isEqualTo(1);
    }

    /**
     * The health check still calls the instance healthy (its next probe is an hour away): the session's call gets 502,
     * also once passive ejection has taken the instance out for the failed call (a slow tool can do that to a healthy one).
     */
    @Test
    void aSessionOfAnInstanceTheHealthCheckCallsHealthyStillGets502WhenItRefusesEvenEjected() throws Exception {
        RecordingUpstream a = sessionUpstream(dev.tollgate.gateway.support.TestPorts.unclaimed(), "session-of-a", new AtomicBoolean());
        int port = a.port();
        RecordingUpstream b = sessionUpstream("session-of-b", new AtomicBoolean());
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                health-check: {interval: 1h, timeout: 5s, unhealthy-after: 2, healthy-after: 1}
                outlier-ejection: {consecutive-failures: 1, base-time: 1h, max-time: 1h}""".formatted(a.url("/mcp"), b.url("/mcp")));
        // One probe each, an hour apart: no failure streak can take an instance out during the test.
        await().atMost(Duration.ofSeconds(5)).until(() -> pinged(a) && pinged(b));
        String session = sessionOn(gateway, a);
        a.close();
        closing.remove(a);

        TestHttp.Reply first = call(gateway, session);
        String ejections = "tollgate_upstream_ejections_total{route=\"tools\",upstream=\"http://127.0.0.1:" + port + "/mcp\"} 1.0";
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.gateway().metrics().scrape().contains(ejections));
        TestHttp.Reply ejected = call(gateway, session);

        for (TestHttp.Reply reply : List.of(first, ejected)) {
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(502);
            assertThat(reply.reason()).isEqualTo("upstream_unavailable");
        }
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.SESSION_INSTANCE_DOWN)).isZero();
        assertThat(calls(b)).isZero();
        RecordingUpstream back = sessionUpstream(port, "session-of-a", new AtomicBoolean());
        TestHttp.Reply served = call(gateway, session);
        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(calls(back)).isEqualTo(1);
    }

    /**
     * Every instance fails its probes (a check wrong everywhere: calls still go to the instances, as in Envoy's panic
     * mode): a new session would go to an unhealthy instance all the same, so sessions are not ended, their calls go on.
     */
    @Test
    void withNoInstanceHealthyASessionsCallsAreStillForwarded() throws Exception {
        AtomicBoolean sick = new AtomicBoolean();
        RecordingUpstream a = sessionUpstream("session-of-a", sick);
        RecordingUpstream b = sessionUpstream("session-of-b", sick);
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                health-check: {interval: 1s, timeout: 1s, unhealthy-after: 2, healthy-after: 1}""".formatted(a.url("/mcp"), b.url("/mcp")));
        String session = sessionOn(gateway, a);
        sick.set(true);
        awaitHealthy(gateway, a.url("/mcp"), false);
        awaitHealthy(gateway, b.url("/mcp"), false);

        TestHttp.Reply served = call(gateway, session);

        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(calls(a)).isEqualTo(1);
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.SESSION_INSTANCE_DOWN)).isZero();
    }

    private NodeServer node() throws Exception {
        NodeServer server = NodeServer.start("ts-resumable-server.mjs", Map.of("PORT", "0"));
        closing.add(server);
        return server;
    }

    private static long executed(NodeServer server) {
        return server.output().lines().filter(l -> l.startsWith("EXECUTED")).count();
    }

    /** initialize and notifications/initialized, as an MCP client opens a session; the gateway's sealed id. */
    private String initialize(RunningGateway gateway) throws Exception {
        TestHttp.Reply init = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", VERSION), Buffer.buffer(INITIALIZE));
        assertThat(init.status()).as(init.body().toString()).isEqualTo(200);
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull();
        TestHttp.Reply initialized = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", VERSION)
                .putHeader("Mcp-Session-Id", session), Buffer.buffer(INITIALIZED));
        assertThat(initialized.status()).as(initialized.body().toString()).isEqualTo(202);
        return session;
    }

    private TestHttp.Reply sdkCall(RunningGateway gateway, String session, String message) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", VERSION).putHeader("Mcp-Session-Id", session),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\""
                        + message + "\"}}}"));
    }

    private void awaitHealthy(RunningGateway gateway, String url, boolean healthy) {
        String gauge = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + url + "\"} " + (healthy ? "1.0" : "0.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gateway().metrics().scrape().contains(gauge));
    }

    /** A session made through the gateway on the given instance (initialize is balanced round-robin: at most two tries). */
    private String sessionOn(RunningGateway gateway, RecordingUpstream instance) throws Exception {
        for (int i = 0; i < 2; i++) {
            int before = initializes(instance);
            TestHttp.Reply init = http.postMcp(gateway.port(), "/mcp", INITIALIZE);
            assertThat(init.status()).as(init.body().toString()).isEqualTo(200);
            if (initializes(instance) > before) {
                return init.headers().get("Mcp-Session-Id");
            }
        }
        throw new AssertionError("no initialize reached " + instance.url("/mcp"));
    }

    private static int initializes(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("\"initialize\"")).count();
    }

    private static int calls(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("tools/call")).count();
    }

    private static boolean pinged(RecordingUpstream upstream) {
        return upstream.received().stream().anyMatch(r -> r.body().toString().contains("\"ping\""));
    }

    private TestHttp.Reply call(RunningGateway gateway, String session) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
    }

    private RecordingUpstream sessionUpstream(String sessionId, AtomicBoolean sick) throws Exception {
        return sessionUpstream(0, sessionId, sick);
    }

    /**
     * An instance that names its own session on every answer, as an MCP server does after initialize; while {@code sick},
     * it answers the health probe's ping 503 (and serves everything else).
     */
    private RecordingUpstream sessionUpstream(int port, String sessionId, AtomicBoolean sick) throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx, port);
        closing.add(upstream);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("\"ping\"")) {
                request.response().setStatusCode(sick.get() ? 503 : 200).putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-health-check\",\"result\":{}}");
                return;
            }
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            // No pooled connection: once the instance stops, the gateway's next call is refused at connect.
            request.response().putHeader("Mcp-Session-Id", sessionId).putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
        });
        return upstream;
    }

    // The tests' probes have a second to answer (a dead or sick instance fails at once): a loaded machine cannot take
    // the instance holding a session out before the test does.
    private RunningGateway gateway(String upstreamsYaml) throws Exception {
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: 500ms
                %s
                """.formatted(dir.resolve("policies"), KEY, upstreamsYaml.indent(4).stripTrailing()));
        closing.add(gateway);
        return gateway;
    }
}
