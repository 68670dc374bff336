package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.SessionConfig;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.Identity;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MCP session belongs to the caller that created it: the gateway hands out sealed session ids, and a
 * request naming a session that is not the caller's own on that route (another tenant's, another route's,
 * forged, edited, expired, sealed with a retired key, or the upstream's raw id) is answered 404
 * {@code session_not_found} and the upstream sees nothing of it, on POST, GET and DELETE alike. Two replicas
 * with the same keys accept each other's sessions.
 */
class SessionBindingTest {

    private static final String UPSTREAM_SESSION = "upstream-session-42";
    private static final byte[] CURRENT = key(1);
    private static final byte[] PREVIOUS = key(2);

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private TenantTokens tokens;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answerAsTaskServer(UPSTREAM_SESSION);
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = start(keysYaml(List.of(Map.entry("current", CURRENT), Map.entry("previous", PREVIOUS)), "1h"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void theCreatorKeepsItsSessionAndTheUpstreamSeesOnlyItsOwnId() throws Exception {
        String sealed = initialize(gateway, "acme");
        assertThat(sealed).isNotEqualTo(UPSTREAM_SESSION).matches("[A-Za-z0-9_-]+");

        TestHttp.Reply again = call(gateway, "acme", sealed, HttpMethod.POST);

        assertThat(again.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(2);
        assertThat(upstream.received().get(1).headers().get("Mcp-Session-Id")).isEqualTo(UPSTREAM_SESSION);
    }

    @Test
    void anotherTenantCannotUseTheSessionOnAnyVerb() throws Exception {
        String sealed = initialize(gateway, "acme");
        int before = upstream.received().size();

        for (HttpMethod verb : List.of(HttpMethod.POST, HttpMethod.GET, HttpMethod.DELETE)) {
            TestHttp.Reply borrowed = call(gateway, "globex", sealed, verb);
            assertThat(borrowed.status()).as(verb.name()).isEqualTo(404);
            assertThat(borrowed.reason()).as(verb.name()).isEqualTo("session_not_found");
        }

        assertThat(upstream.received()).as("nothing of a borrowed session reaches the upstream").hasSize(before);
    }

    @Test
    void forgedEditedRawAndForeignIdsAreUnknownSessions() throws Exception {
        String sealed = initialize(gateway, "acme");
        char last = sealed.charAt(sealed.length() - 2);
        String edited = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        String otherRoute = sealer(CURRENT, "current", Duration.ofHours(1)).seal("another-route", acme(), UPSTREAM_SESSION, Instant.now());
        String retiredKey = sealer(key(3), "retired", Duration.ofHours(1)).seal("upstream", acme(), UPSTREAM_SESSION, Instant.now());
        String expired = sealer(CURRENT, "current", Duration.ofHours(1))
                .seal("upstream", acme(), UPSTREAM_SESSION, Instant.now().minus(Duration.ofHours(2)));
        int before = upstream.received().size();

        for (String id : List.of(edited, UPSTREAM_SESSION, otherRoute, retiredKey, expired, "", "!!", sealed + "x")) {
            TestHttp.Reply reply = call(gateway, "acme", id, HttpMethod.POST);
            assertThat(reply.status()).as(id).isEqualTo(404);
            assertThat(reply.reason()).as(id).isEqualTo("session_not_found");
            assertThat(reply.json().at("/error/data/detail").asText()).as("says how to recover, not whose it is").contains("initialize");
        }
        assertThat(upstream.received()).hasSize(before);
    }

    @Test
    void aSessionSealedWithThePreviousKeyIsStillAcceptedDuringRotation() throws Exception {
        String old = sealer(PREVIOUS, "previous", Duration.ofHours(1)).seal("upstream", acme(), UPSTREAM_SESSION, Instant.now());

        assertThat(call(gateway, "acme", old, HttpMethod.POST).status()).isEqualTo(200);
    }

    @Test
    void twoRequestHeadersNamingSessionsAreRefused() throws Exception {
        String sealed = initialize(gateway, "acme");
        RequestOptions options = post("acme").addHeader("Mcp-Session-Id", sealed).addHeader("Mcp-Session-Id", sealed);

        assertThat(sendTo(gateway, options, Buffer.buffer(ping())).status()).isEqualTo(404);
    }

    @Test
    void aSecondReplicaWithTheSameKeysAcceptsTheSession() throws Exception {
        RunningGateway replica = start(keysYaml(List.of(Map.entry("current", CURRENT)), "1h"));
        try {
            String sealed = initialize(gateway, "acme");

            assertThat(call(replica, "acme", sealed, HttpMethod.POST).status()).isEqualTo(200);
            assertThat(call(replica, "globex", sealed, HttpMethod.POST).status()).isEqualTo(404);
            assertThat(upstream.received().get(upstream.received().size() - 1).headers().get("Mcp-Session-Id")).isEqualTo(UPSTREAM_SESSION);
        } finally {
            replica.close();
        }
    }

    @Test
    void aTaskBelongsToTheCallerWhoseCallCreatedIt() throws Exception {
        String acmeSession = initialize(gateway, "acme");
        String globexSession = initialize(gateway, "globex");
        TestHttp.Reply created = sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", acmeSession),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}"));
        assertThat(created.json().at("/result/task/taskId").asText()).isEqualTo("job-1");
        int before = upstream.received().size();
        String getTask = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}";

        TestHttp.Reply borrowed = sendTo(gateway, post("globex").putHeader("Mcp-Session-Id", globexSession), Buffer.buffer(getTask));
        TestHttp.Reply own = sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", acmeSession), Buffer.buffer(getTask));

        assertThat(borrowed.status()).isEqualTo(404);
        assertThat(borrowed.reason()).isEqualTo("task_not_found");
        assertThat(borrowed.json().path("id").asInt()).isEqualTo(4);
        assertThat(own.status()).isEqualTo(200);
        assertThat(upstream.received()).as("only the owner's tasks/get was forwarded").hasSize(before + 1);
    }

    /** A task id the gateway cannot look up (a server may read ["job-1"] as "job-1") is refused, not forwarded unchecked. */
    @Test
    void aTaskIdThatIsNotAStringIsRefused() throws Exception {
        String acmeSession = initialize(gateway, "acme");
        String globexSession = initialize(gateway, "globex");
        sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", acmeSession),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}"));
        int before = upstream.received().size();

        for (String taskId : List.of("[\"job-1\"]", "{\"id\":\"job-1\"}", "1", "\"\"", "null")) {
            TestHttp.Reply refused = sendTo(gateway, post("globex").putHeader("Mcp-Session-Id", globexSession),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/cancel\",\"params\":{\"taskId\":" + taskId + "}}"));
            assertThat(refused.status()).as(taskId).isEqualTo(400);
            assertThat(refused.reason()).as(taskId).isEqualTo("invalid_params");
            assertThat(refused.json().at("/error/code").asInt()).isEqualTo(-32602);
        }
        assertThat(upstream.received()).as("no task request with such an id was forwarded").hasSize(before);
    }

    /**
     * An upstream may list every task it holds (a stateless server): an identified caller's tasks/list keeps its own
     * tasks only. A task bound to nobody may be another caller's whose creating answer is still on its way.
     */
    @Test
    void tasksListShowsAnIdentifiedCallerOnlyItsOwnTasks() throws Exception {
        String acmeSession = initialize(gateway, "acme");
        String globexSession = initialize(gateway, "globex");
        sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", acmeSession),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}"));
        upstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"},"
                        + "{\"taskId\":\"job-elsewhere\",\"status\":\"working\"},{\"status\":\"working\"}]}}"));
        String list = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}";

        TestHttp.Reply globex = sendTo(gateway, post("globex").putHeader("Mcp-Session-Id", globexSession), Buffer.buffer(list));
        TestHttp.Reply acme = sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", acmeSession), Buffer.buffer(list));

        assertThat(globex.json().at("/result/tasks").findValuesAsText("taskId")).as(globex.body().toString()).isEmpty();
        assertThat(acme.json().at("/result/tasks").findValuesAsText("taskId")).as(acme.body().toString()).containsExactly("job-1");
    }

    /** A caller without an AXID (the route's `axid: optional`) binds nothing: it sees the tasks no identified caller holds. */
    @Test
    void tasksListShowsAnAnonymousCallerOnlyTasksBoundToNobody() throws Exception {
        RunningGateway optional = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                tokens.identityYaml() + keysYaml(List.of(Map.entry("current", CURRENT)), "1h")).replace("policy: p}", "policy: p, axid: optional}"));
        try {
            String acmeSession = initialize(optional, "acme");
            sendTo(optional, post("acme").putHeader("Mcp-Session-Id", acmeSession),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}"));
            TestHttp.Reply anonymousInit = sendTo(optional, TestHttp.mcpPost(0, "/mcp"), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,"
                    + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
            assertThat(anonymousInit.status()).as(anonymousInit.body().toString()).isEqualTo(200);
            upstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"},"
                            + "{\"taskId\":\"job-elsewhere\",\"status\":\"working\"}]}}"));

            TestHttp.Reply anonymous = sendTo(optional, TestHttp.mcpPost(0, "/mcp").putHeader("Mcp-Session-Id", anonymousInit.headers().get("Mcp-Session-Id")),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}"));

            assertThat(anonymous.json().at("/result/tasks").findValuesAsText("taskId")).as(anonymous.body().toString()).containsExactly("job-elsewhere");
        } finally {
            optional.close();
        }
    }

    @Test
    void badKeysAreConfigurationErrorsNamingTheField() {
        String yaml = "listeners: [{name: p, host: 127.0.0.1, port: 0}]\nroutes: []\n"
                + "sessions: {keys: [{id: a, secret: \"" + Base64.getEncoder().encodeToString(new byte[16]) + "\"}, {id: b, secret: \"%%%\"}]}\n";

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "test.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must decode to 32 bytes, got 16")
                .hasMessageContaining("must be base64");
    }

    @Test
    void anIdStillInFlightInTheSessionIsRefusedAndFreeAgainOnceAnswered() throws Exception {
        // A stateful upstream pairs an answer with the last POST that carried its id (the TypeScript SDK's transport):
        // a second POST reusing an id in flight would get the first call's result under its own tool (review finding).
        String sealed = initialize(gateway, "acme");
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            vertx.setTimer(body.contains("slow") ? 1_500 : 1, t -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION)
                    .putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}"));
        });
        int before = upstream.received().size();
        String slow = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}";
        java.util.concurrent.CompletableFuture<TestHttp.Reply> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", sealed), Buffer.buffer(slow));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 100 && upstream.received().size() == before; i++) {
            Thread.sleep(20);
        }
        String sameId = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}";

        TestHttp.Reply reused = sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", sealed), Buffer.buffer(sameId));

        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.reason()).isEqualTo("duplicate_id");
        assertThat(upstream.received()).as("only the first call reached the upstream").hasSize(before + 1);
        assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", sealed), Buffer.buffer(sameId)).status())
                .as("answered: the id is free again").isEqualTo(200);
    }

    @Test
    void theIdOfACallTheClientAbandonedStaysTakenWhileTheUpstreamMayStillRunIt() throws Exception {
        // The client goes away mid-call; the TypeScript SDK keeps running it and would send its late result to the next
        // POST carrying the id (third review): the id is not given back when the exchange ends.
        String sealed = initialize(gateway, "acme");
        upstream.answer(request -> {
            // Never answers in time: the call is still running upstream when the client leaves.
        });
        int before = upstream.received().size();
        String slow = "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            String head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                    + "X-Waxell-AXID: " + tokens.token("acme", "planner") + "\r\nMcp-Session-Id: " + sealed + "\r\n"
                    + "Content-Length: " + slow.length() + "\r\n\r\n";
            socket.getOutputStream().write((head + slow).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            for (int i = 0; i < 250 && upstream.received().size() == before; i++) {
                Thread.sleep(20);
            }
            assertThat(upstream.received()).as("the call reached the upstream").hasSize(before + 1);
        }
        Thread.sleep(300); // the gateway notices the closed connection and ends the exchange
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}"));

        TestHttp.Reply reused = sendTo(gateway, post("acme").putHeader("Mcp-Session-Id", sealed),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}"));

        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.reason()).isEqualTo("duplicate_id");
        assertThat(upstream.received()).hasSize(before + 1);
    }

    private RunningGateway start(String sessionsYaml) throws Exception {
        return RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                tokens.identityYaml() + sessionsYaml));
    }

    private String initialize(RunningGateway target, String tenant) throws Exception {
        TestHttp.Reply reply = sendTo(target, post(tenant), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply call(RunningGateway target, String tenant, String session, HttpMethod verb) throws Exception {
        RequestOptions options = post(tenant).setMethod(verb).putHeader("Mcp-Session-Id", session);
        return sendTo(target, options, verb == HttpMethod.POST ? Buffer.buffer(ping()) : null);
    }

    private RequestOptions post(String tenant) throws Exception {
        return TestHttp.mcpPost(0, "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, "planner"));
    }

    private TestHttp.Reply sendTo(RunningGateway target, RequestOptions options, Buffer body) throws Exception {
        return http.send(options.setPort(target.port()), body);
    }

    private static String ping() {
        return "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    }

    private static Identity acme() {
        return new Identity(null, "acme", "planner", null, null, null, null, List.of(), Map.of());
    }

    private static SealedSessions sealer(byte[] secret, String id, Duration maxAge) {
        return new SealedSessions(new SessionConfig(List.of(new SessionConfig.Key(id, secret)), maxAge));
    }

    private static String keysYaml(List<Map.Entry<String, byte[]>> keys, String maxAge) {
        StringBuilder yaml = new StringBuilder("sessions:\n  max-age: " + maxAge + "\n  keys:\n");
        for (Map.Entry<String, byte[]> key : keys) {
            yaml.append("    - {id: ").append(key.getKey()).append(", secret: \"")
                    .append(Base64.getEncoder().encodeToString(key.getValue())).append("\"}\n");
        }
        return yaml.toString();
    }

    private static byte[] key(int seed) {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }
}
