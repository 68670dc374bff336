package dev.tollgate.gateway.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.TasksConfig;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binding in Redis that is not one the gateway writes (a corrupted value, another deployment under the same key
 * prefix) fails the read and the call is refused, never read as nobody's (review of the shared task store). Set-up as
 * SharedTaskStoreTest: {@code tasks: {store: redis}}: two replicas sharing one real redis-server know each other's tasks and contexts. A task
 * created through replica 1 is acme's on replica 2 too (another tenant is told it does not exist, and its tasks/* are
 * decided as the creating tool's calls there), its context is acme's, and lists through replica 2 lose it for others.
 * When Redis cannot answer, a request naming a task replica 2 has not seen is refused 503 (fail closed).
 */
class SharedTaskStoreBindingsTest {

    private static final String UPSTREAM_SESSION = "upstream-session-7";
    private static final byte[] KEY = new byte[32];
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: reports-run-to-the-end
                priority: 10
                condition: {all: [{tool: report}, {method: tasks/cancel}]}
                action: deny
                message: a running report cannot be cancelled
            """;
    private static final String A2A_TASK = "{\"id\":\"task-9\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}";
    private static final String CREATE_REPORT = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redisServer;
    private RecordingUpstream mcpUpstream;
    private RecordingUpstream agent;
    private TenantTokens tokens;
    private TestHttp http;
    private RunningGateway replica1;
    private RunningGateway replica2;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redisServer = RedisServer.start();
        mcpUpstream = new RecordingUpstream(vertx);
        mcpUpstream.answerAsTaskServer(UPSTREAM_SESSION);
        agent = new RecordingUpstream(vertx);
        agent.answer(request -> {
            String body = agent.received().get(agent.received().size() - 1).body().toString();
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                    + (body.contains("SendMessage") ? "{\"task\":" + A2A_TASK + "}" : A2A_TASK) + "}");
        });
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        http = new TestHttp(vertx);
        replica1 = RunningGateway.start(vertx, yaml("redis"));
        replica2 = RunningGateway.start(vertx, yaml("redis"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        replica1.close();
        replica2.close();
        mcpUpstream.close();
        agent.close();
        redisServer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }


    /**
     * RedisTaskStore.parse says "A value that is not a binding fails the read (the caller refuses)", but a JSON object
     * whose owner is not text (or absent) becomes a binding with no owner (nobody's) for a task, and no binding at all
     * for a context: the call passes instead of being refused.
     */
    @Test
    void aMalformedBindingInRedisRefusesTheCallInsteadOfBindingNobody() throws Exception {
        String globex = initialize(replica2, "globex");
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            RedisAPI api = RedisAPI.api(client);
            api.set(List.of(key("task", "upstream", "job-1"), "{\"tool\":\"report\",\"owner\":42}"))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            api.set(List.of(key("context", "agent", "ctx-1"), "{\"owner\":[\"acme\"]}"))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
        int before = mcpUpstream.received().size();

        TestHttp.Reply get = mcp(replica2, "globex", globex, taskRequest(4, "tasks/get"));
        TestHttp.Reply joined = a2a(replica2, "globex", "SendMessage", message("\"contextId\":\"ctx-1\","));

        assertThat(get.status()).as("an unreadable binding is not nobody's: " + get.body()).isEqualTo(503);
        assertThat(joined.status()).as("an unreadable context binding is not nobody's: " + joined.body()).isEqualTo(503);
        assertThat(mcpUpstream.received()).hasSize(before);
    }

    /** TaskStoreKeys.key, spelt out (the class is package-private). */
    private static String key(String kind, String route, String id) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest((route.length() + ":" + route + ":" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "tollgate:task:" + kind + ":" + java.util.HexFormat.of().formatHex(digest);
    }

    private double writeErrors(RunningGateway replica) {
        return replica.gateway().metrics().registry().get("tollgate.task.store.errors").tag("op", "write").counter().count();
    }

    private String yaml(String store) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                sessions:
                  keys: [{id: k, secret: "%s"}]
                redis: {uri: "%s", timeout: 500ms}
                tasks: {store: %s}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), Base64.getEncoder().encodeToString(KEY),
                redisServer.uri(), store, mcpUpstream.url("/mcp"), agent.url(""));
    }

    /** Bindings are written without holding the answer: waits until Redis holds as many as the test created. */
    private void awaitBindings(int count) throws Exception {
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            RedisAPI api = RedisAPI.api(client);
            for (int i = 0; i < 250; i++) {
                int held = api.keys("tollgate:task:*").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).size();
                if (held >= count) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("Redis did not receive " + count + " task bindings");
        } finally {
            client.close();
        }
    }

    private String initialize(RunningGateway replica, String tenant) throws Exception {
        TestHttp.Reply reply = http.send(mcpPost(replica, tenant), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply mcp(RunningGateway replica, String tenant, String session, String body) throws Exception {
        return http.send(mcpPost(replica, tenant).putHeader("Mcp-Session-Id", session), Buffer.buffer(body));
    }

    private RequestOptions mcpPost(RunningGateway replica, String tenant) throws Exception {
        return TestHttp.mcpPost(replica.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, "planner"));
    }

    private TestHttp.Reply a2a(RunningGateway replica, String tenant, String method, String params) throws Exception {
        return http.send(TestHttp.mcpPost(replica.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private static String taskRequest(int id, String method) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{\"taskId\":\"job-1\"}}";
    }

    private static String message(String members) {
        return "{\"message\":{\"messageId\":\"m1\"," + members + "\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}";
    }
}
