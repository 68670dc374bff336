package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, 5b06e28): "a binding Redis lost is written again on the next use" holds only once the refresh interval
 * (tasks.retention / 24: one hour by default) has passed since the replica last bound it: TaskOrigins.load skips the
 * rebind while recentlyBound holds the id, and learn()/learnContext() skip it too. With the default retention, after
 * Redis loses its keys (a restart without persistence, a failover that loses async-replicated writes, maxmemory eviction)
 * acme keeps using its task through replica 1 and nothing is written again for up to an hour; meanwhile the task and its
 * context are nobody's on replica 2: globex reads acme's task there, and by continuing it binds task and context to
 * itself in Redis (first binding wins), so acme is then refused its own task on every replica but the first, and on the
 * first too once its refresh reads globex's binding back (bindTask: held != null, byTask.put).
 */
class LostBindingWithinRefreshReviewTest {

    private static final byte[] KEY = new byte[32];
    private static final String A2A_TASK = "{\"id\":\"task-9\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redisServer;
    private RecordingUpstream agent;
    private TenantTokens tokens;
    private TestHttp http;
    private RunningGateway replica1;
    private RunningGateway replica2;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redisServer = RedisServer.start();
        agent = new RecordingUpstream(vertx);
        agent.answer(request -> {
            String body = agent.received().get(agent.received().size() - 1).body().toString();
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                    + (body.contains("SendMessage") ? "{\"task\":" + A2A_TASK + "}" : A2A_TASK) + "}");
        });
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        http = new TestHttp(vertx);
        replica1 = RunningGateway.start(vertx, yaml());
        replica2 = RunningGateway.start(vertx, yaml());
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        replica1.close();
        replica2.close();
        agent.close();
        redisServer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void createThenLoseAndUse() throws Exception {
        assertThat(a2a(replica1, "acme", "SendMessage", message("")).json().at("/result/task/id").asText()).isEqualTo("task-9");
        assertThat(keys()).as("task and context bound in Redis").isEqualTo(2);
        redisCommand("FLUSHALL");
        // acme's next uses through replica 1: the commit says the lost binding is written again now.
        assertThat(a2a(replica1, "acme", "GetTask", "{\"id\":\"task-9\"}").status()).isEqualTo(200);
        assertThat(a2a(replica1, "acme", "SendMessage", message("\"contextId\":\"ctx-1\",\"taskId\":\"task-9\",")).status()).isEqualTo(200);
        Thread.sleep(500); // any refresh (not awaited) has landed
    }

    @Test
    void aTaskWhoseBindingRedisLostIsNotReadByAnotherTenantWhileItsCreatorKeepsUsingIt() throws Exception {
        createThenLoseAndUse();
        int before = agent.received().size();

        TestHttp.Reply get = a2a(replica2, "globex", "GetTask", "{\"id\":\"task-9\"}");

        assertThat(get.status()).as("globex reads acme's task through replica 2 (Redis holds " + keys()
                + " bindings after acme's uses): " + get.body()).isEqualTo(404);
        assertThat(agent.received()).hasSize(before);
    }

    @Test
    void anotherTenantCannotTakeOverATaskAndContextWhoseBindingRedisLost() throws Exception {
        createThenLoseAndUse();

        TestHttp.Reply taken = a2a(replica2, "globex", "SendMessage", message("\"contextId\":\"ctx-1\",\"taskId\":\"task-9\","));
        TestHttp.Reply own = a2a(replica2, "acme", "GetTask", "{\"id\":\"task-9\"}");

        assertThat(own.status()).as("acme is refused its own task through replica 2 after globex continued it ("
                + taken.status() + " " + taken.body() + "): " + own.body()).isEqualTo(200);
        assertThat(taken.status()).as("globex continues acme's task and context: " + taken.body()).isEqualTo(404);
    }

    private int keys() throws Exception {
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            return RedisAPI.api(client).keys("tollgate:task:*").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).size();
        } finally {
            client.close();
        }
    }

    private void redisCommand(String command) throws Exception {
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.create(command)))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    private String yaml() {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                sessions:
                  keys: [{id: k, secret: "%s"}]
                redis: {uri: "%s", timeout: 2s}
                tasks: {store: redis}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), Base64.getEncoder().encodeToString(KEY),
                redisServer.uri(), agent.url(""));
    }

    private TestHttp.Reply a2a(RunningGateway replica, String tenant, String method, String params) throws Exception {
        return http.send(TestHttp.mcpPost(replica.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private static String message(String members) {
        return "{\"message\":{\"messageId\":\"m1\"," + members + "\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}";
    }
}
