package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RefusingPort;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route with several upstream instances, through the gateway with real HTTP upstreams on loopback: calls are
 * balanced by weight or by load, a call that could not be sent goes on to another instance while one that was sent
 * is never sent twice (unless it is a list), a failing instance is ejected, sessions stay with the instance that
 * issued them on every replica, and health checks take instances out of rotation and the replica out of readiness.
 */
class UpstreamBalancingTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}";

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
    void roundRobinGivesEachInstanceItsWeightInTurns() throws Exception {
        RecordingUpstream a = upstream();
        RecordingUpstream b = upstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s", weight: 2}, {url: "%s", weight: 1}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp")));
        for (int i = 0; i < 30; i++) {
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }
        assertThat(a.received()).hasSize(20);
        assertThat(b.received()).hasSize(10);
        assertThat(a.received().get(0).uri()).isEqualTo("/mcp");
    }

    @Test
    void leastRequestsSendsNewCallsAwayFromTheInstanceStillWorking() throws Exception {
        RecordingUpstream slow = upstream();
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        slow.answer(held::add);
        RecordingUpstream fast = upstream();
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(slow.url("/mcp"), fast.url("/mcp")));
        List<CompletableFuture<TestHttp.Reply>> heldCalls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int before = slow.received().size() + fast.received().size();
            int fastBefore = fast.received().size();
            CompletableFuture<TestHttp.Reply> call = CompletableFuture.supplyAsync(() -> post(gateway, CALL));
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.received().size() + fast.received().size() > before);
            if (fast.received().size() > fastBefore) {
                assertThat(call.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            } else {
                heldCalls.add(call);
            }
        }
        // The first call to the slow instance keeps it busy: every later call has a less loaded instance to go to.
        assertThat(slow.received()).hasSizeLessThanOrEqualTo(1);
        assertThat(fast.received()).hasSizeGreaterThanOrEqualTo(9);
        held.forEach(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"));
        for (CompletableFuture<TestHttp.Reply> call : heldCalls) {
            assertThat(call.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    @Test
    void aRefusedConnectionGoesOnToAnotherInstanceAndEjectsTheDeadOne() throws Exception {
        String dead = refusingUrl();
        RecordingUpstream alive = upstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                outlier-ejection: {consecutive-failures: 2, base-time: 1m, max-time: 5m}""".formatted(dead, alive.url("/mcp")));
        for (int i = 0; i < 10; i++) {
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }
        assertThat(alive.received()).hasSize(10);
        String metrics = gateway.gateway().metrics().scrape();
        // Two calls found the dead instance and went on; after the second it was ejected and no longer tried.
        assertThat(metrics).contains("tollgate_upstream_retries_total{route=\"tools\"} 2.0");
        assertThat(metrics).contains("tollgate_upstream_healthy{route=\"tools\",upstream=\"" + dead + "\"} 0.0");
        assertThat(metrics).contains("tollgate_upstream_healthy{route=\"tools\",upstream=\"" + alive.url("/mcp") + "\"} 1.0");
        assertThat(metrics).contains("tollgate_upstream_ejections_total{route=\"tools\",upstream=\"" + dead + "\"} 1.0");
    }

    @Test
    void whenEveryInstanceIsDownTheClientGetsA502NamingTheInstanceAndTheCause() throws Exception {
        String dead1 = refusingUrl();
        String dead2 = refusingUrl();
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(dead1, dead2));
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).isEqualTo("upstream_unavailable");
        assertThat(reply.json().path("id").asInt()).isEqualTo(7);
        assertThat(reply.json().path("error").path("data").path("detail").asText())
                .containsAnyOf(dead1, dead2).contains("is unreachable (connection refused)");
    }

    @Test
    void aCallTheInstanceReceivedIsNeverSentTwiceButAListIs() throws Exception {
        RecordingUpstream cutting = upstream();
        cutting.answer(request -> request.connection().close());
        RecordingUpstream other = upstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                outlier-ejection: {consecutive-failures: 100}""".formatted(cutting.url("/mcp"), other.url("/mcp")));
        // Turn 1 goes to the cutting instance: the tool may have run there, so the call is not repeated elsewhere.
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.reason()).isEqualTo("upstream_error");
        assertThat(cutting.received()).hasSize(1);
        assertThat(other.received()).isEmpty();
        // Turn 2 to the other instance; turn 3 brings tools/list to the cutting one, and a list is safe to ask again.
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        TestHttp.Reply list = http.postMcp(gateway.port(), "/mcp", LIST);
        assertThat(list.status()).isEqualTo(200);
        assertThat(cutting.received()).hasSize(2);
        assertThat(cutting.received().get(1).body().toString()).contains("tools/list");
        assertThat(other.received()).hasSize(2);
        assertThat(other.received().get(1).body().toString()).contains("tools/list");
    }

    @Test
    void aSessionStaysWithTheInstanceThatIssuedItOnEveryReplica() throws Exception {
        RecordingUpstream a = sessionUpstream("session-of-a");
        RecordingUpstream b = sessionUpstream("session-of-b");
        String upstreams = """
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp"));
        RunningGateway first = gateway(upstreams);
        RunningGateway second = gateway(upstreams);
        TestHttp.Reply initialized = http.postMcp(first.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
        String session = initialized.headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull().doesNotContain("session-of");
        RecordingUpstream holder = a.received().size() == 1 ? a : b;
        RecordingUpstream idle = holder == a ? b : a;
        for (int i = 0; i < 12; i++) {
            RunningGateway replica = i % 2 == 0 ? first : second;
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(replica.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
            assertThat(reply.status()).isEqualTo(200);
        }
        assertThat(holder.received()).hasSize(13);
        assertThat(holder.received().subList(1, 13)).allSatisfy(r ->
                assertThat(r.headers().get("Mcp-Session-Id")).isEqualTo(holder == a ? "session-of-a" : "session-of-b"));
        assertThat(idle.received()).isEmpty();
        // Calls without a session are balanced as before: both instances serve.
        for (int i = 0; i < 4; i++) {
            http.postMcp(first.port(), "/mcp", CALL);
        }
        assertThat(idle.received()).isNotEmpty();
    }

    @Test
    void aSessionWhoseInstanceLeftTheRouteIsUnknownButOneWhoseInstanceDiedIsNot() throws Exception {
        RecordingUpstream a = sessionUpstream("session-of-a");
        RecordingUpstream b = sessionUpstream("session-of-b");
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp")));
        String session = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}")
                .headers().get("Mcp-Session-Id");
        assertThat(a.received()).hasSize(1);
        // A replica whose route no longer lists instance a: the session is gone with it.
        RecordingUpstream c = sessionUpstream("session-of-c");
        RunningGateway without = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(b.url("/mcp"), c.url("/mcp")));
        TestHttp.Reply refused = http.send(TestHttp.mcpPost(without.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.reason()).isEqualTo("session_not_found");
        // Instance a stops: the session is not declared over (fix T: the instance may be back in a moment, and one that
        // restarted without it answers 404 itself): the call gets the 502 any unreachable instance gets, and is not moved.
        a.close();
        closing.remove(a);
        TestHttp.Reply gone = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
        assertThat(gone.status()).isEqualTo(502);
        // upstream_error when the call went out on the pooled connection the instance closed as it stopped.
        assertThat(gone.reason()).isIn("upstream_unavailable", "upstream_error");
        assertThat(gone.json().path("id").asInt()).isEqualTo(7);
        assertThat(b.received()).isEmpty();
        assertThat(c.received()).isEmpty();
    }

    @Test
    void aTasksFollowUpsGoToTheInstanceThatCreatedIt() throws Exception {
        RecordingUpstream a = taskUpstream("job-of-a");
        RecordingUpstream b = taskUpstream("job-of-b");
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp")));
        String created = http.postMcp(gateway.port(), "/mcp", CALL).json().path("result").path("task").path("taskId").asText();
        RecordingUpstream holder = created.equals("job-of-a") ? a : b;
        RecordingUpstream other = holder == a ? b : a;
        for (int i = 0; i < 5; i++) {
            TestHttp.Reply got = http.postMcp(gateway.port(), "/mcp",
                    "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + created + "\"}}");
            assertThat(got.status()).isEqualTo(200);
        }
        assertThat(holder.received()).hasSize(6);
        assertThat(other.received()).isEmpty();
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

    @Test
    void healthChecksTakeADeadInstanceOutAndBringItBackAndReadinessFollows() throws Exception {
        // A port no other socket is given while a is down, so the instance can come back on it.
        RecordingUpstream a = new RecordingUpstream(vertx, dev.tollgate.gateway.support.TestPorts.unclaimed());
        closing.add(a);
        int portOfA = a.port();
        RecordingUpstream b = upstream();
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin
                health-check: {interval: 1s, timeout: 1s, unhealthy-after: 1, healthy-after: 1}""".formatted(a.url("/mcp"), b.url("/mcp")));
        // A dead instance fails its probe at once (connection refused); a live one has a second to answer, so a loaded
        // machine cannot take b out while the test needs it healthy (with unhealthy-after 1, one slow probe would).
        // The probe is an MCP ping to the instance's endpoint.
        await().atMost(Duration.ofSeconds(10)).until(() -> a.received().stream().anyMatch(r -> r.body().toString().contains("\"ping\"")));
        assertThat(a.received().get(0).uri()).isEqualTo("/mcp");
        a.close();
        closing.remove(a);
        String healthyA = "tollgate_upstream_healthy{route=\"tools\",upstream=\"" + "http://127.0.0.1:" + portOfA + "/mcp" + "\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.gateway().metrics().scrape().contains(healthyA + " 0.0"));
        int bBefore = calls(b);
        for (int i = 0; i < 6; i++) {
            assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
        }
        assertThat(calls(b)).isEqualTo(bBefore + 6);
        assertThat(gateway.gateway().metrics().scrape()).doesNotContain("tollgate_upstream_retries_total");
        assertThat(readyz(gateway).status()).isEqualTo(200);
        b.close();
        closing.remove(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> readyz(gateway).status() == 503);
        assertThat(readyz(gateway).json().path("routes_without_healthy_upstream").path("tools").asText()).isEqualTo("2 instance(s), none healthy");
        RecordingUpstream back = new RecordingUpstream(vertx, portOfA);
        closing.add(back);
        await().atMost(Duration.ofSeconds(10)).until(() -> readyz(gateway).status() == 200);
        assertThat(gateway.gateway().metrics().scrape()).contains(healthyA + " 1.0");
        assertThat(http.postMcp(gateway.port(), "/mcp", CALL).status()).isEqualTo(200);
    }

    private static int calls(RecordingUpstream upstream) {
        return (int) upstream.received().stream().filter(r -> r.body().toString().contains("tools/call")).count();
    }

    private TestHttp.Reply readyz(RunningGateway gateway) throws Exception {
        return http.send(new io.vertx.core.http.RequestOptions().setHost("127.0.0.1").setPort(gateway.gateway().adminPort()).setURI("/readyz"), null);
    }

    private TestHttp.Reply post(RunningGateway gateway, String body) {
        try {
            return http.postMcp(gateway.port(), "/mcp", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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

    private RunningGateway gateway(String upstreamsYaml) throws Exception {
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
                %s
                """.formatted(dir.resolve("policies"), KEY, upstreamsYaml.indent(4).stripTrailing());
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
