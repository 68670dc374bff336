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
 * {@code tasks: {store: redis}}: two replicas sharing one real redis-server know each other's tasks and contexts. A task
 * created through replica 1 is acme's on replica 2 too (another tenant is told it does not exist, and its tasks/* are
 * decided as the creating tool's calls there), its context is acme's, and lists through replica 2 lose it for others.
 * When Redis cannot answer, a request naming a task replica 2 has not seen is refused 503 (fail closed).
 */
class SharedTaskStoreTest {

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
              - name: no-sampling
                condition: {method: sampling/createMessage}
                action: deny
                message: servers may not sample through this route
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

    @Test
    void anMcpTaskCreatedThroughOneReplicaIsNotFoundForAnotherTenantOnTheOther() throws Exception {
        String acme = initialize(replica1, "acme");
        String globex = initialize(replica2, "globex");
        assertThat(mcp(replica1, "acme", acme, CREATE_REPORT).json().at("/result/task/taskId").asText()).isEqualTo("job-1");
        awaitBindings(1);
        int before = mcpUpstream.received().size();

        TestHttp.Reply get = mcp(replica2, "globex", globex, taskRequest(4, "tasks/get"));
        TestHttp.Reply cancel = mcp(replica2, "globex", globex, taskRequest(5, "tasks/cancel"));

        for (TestHttp.Reply refused : List.of(get, cancel)) {
            assertThat(refused.status()).as(refused.body().toString()).isEqualTo(404);
            assertThat(refused.reason()).isEqualTo("task_not_found");
        }
        assertThat(mcpUpstream.received()).as("nothing of acme's task reaches the upstream for globex").hasSize(before);
    }

    @Test
    void theCreatorsTaskCallsThroughTheOtherReplicaAreForwardedAndDecidedAsTheCreatingToolsCalls() throws Exception {
        String acme = initialize(replica1, "acme");
        mcp(replica1, "acme", acme, CREATE_REPORT);
        awaitBindings(1);
        int before = mcpUpstream.received().size();

        TestHttp.Reply get = mcp(replica2, "acme", acme, taskRequest(4, "tasks/get"));
        TestHttp.Reply cancel = mcp(replica2, "acme", acme, taskRequest(5, "tasks/cancel"));

        assertThat(get.status()).as(get.body().toString()).isEqualTo(200);
        assertThat(get.json().has("result")).isTrue();
        assertThat(cancel.errorCode()).as("the report tool's deny rule covers its task on replica 2: " + cancel.body()).isEqualTo(-32010);
        assertThat(cancel.json().at("/error/data/rule").asText()).isEqualTo("reports-run-to-the-end");
        assertThat(mcpUpstream.received()).as("only the tasks/get was forwarded").hasSize(before + 1);
    }

    /**
     * A context the client chose is claimed in Redis by its first message, before the agent sees it: here the agent's
     * answer never names it (the answer binds nothing), and another caller through the other replica still cannot join.
     */
    @Test
    void aClientChosenContextIsClaimedInTheSharedStoreBeforeTheMessageIsForwarded() throws Exception {
        agent.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"a1\",\"role\":\"ROLE_AGENT\","
                        + "\"parts\":[{\"text\":\"noted\"}]}}}"));
        TestHttp.Reply first = a2a(replica1, "acme", "SendMessage", message("\"contextId\":\"ctx-chosen\","));
        assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
        int before = agent.received().size();

        TestHttp.Reply joined = a2a(replica2, "globex", "SendMessage", message("\"contextId\":\"ctx-chosen\","));
        TestHttp.Reply own = a2a(replica2, "acme", "SendMessage", message("\"contextId\":\"ctx-chosen\","));

        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(404);
        assertThat(joined.reason()).isEqualTo("a2a_context_not_found");
        assertThat(own.status()).as(own.body().toString()).isEqualTo(200);
        assertThat(agent.received()).as("only acme's second message reaches the agent").hasSize(before + 1);
    }

    @Test
    void anA2aTaskAndItsContextCreatedThroughOneReplicaAreTheCreatorsOnTheOther() throws Exception {
        assertThat(a2a(replica1, "acme", "SendMessage", message("")).json().at("/result/task/id").asText()).isEqualTo("task-9");
        awaitBindings(2);
        int before = agent.received().size();

        TestHttp.Reply get = a2a(replica2, "globex", "GetTask", "{\"id\":\"task-9\"}");
        TestHttp.Reply joined = a2a(replica2, "globex", "SendMessage", message("\"contextId\":\"ctx-1\","));

        assertThat(get.status()).as(get.body().toString()).isEqualTo(404);
        assertThat(get.json().at("/error/code").asInt()).isEqualTo(-32001);
        assertThat(get.reason()).isEqualTo("a2a_task_not_found");
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(404);
        assertThat(joined.reason()).isEqualTo("a2a_context_not_found");
        assertThat(agent.received()).as("nothing of acme's task or context reaches the agent for globex").hasSize(before);

        TestHttp.Reply own = a2a(replica2, "acme", "GetTask", "{\"id\":\"task-9\"}");
        assertThat(own.json().at("/result/id").asText()).as(own.body().toString()).isEqualTo("task-9");
        assertThat(agent.received()).hasSize(before + 1);
    }

    @Test
    void listsThroughTheOtherReplicaLoseAnotherCallersTasks() throws Exception {
        String acme = initialize(replica1, "acme");
        String globex = initialize(replica2, "globex");
        String acmeOn2 = initialize(replica2, "acme");
        mcp(replica1, "acme", acme, CREATE_REPORT);
        a2a(replica1, "acme", "SendMessage", message(""));
        awaitBindings(3);
        mcpUpstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"},"
                        + "{\"taskId\":\"job-elsewhere\",\"status\":\"working\"}]}}"));
        String list = "{\"tasks\":[" + A2A_TASK + ",{\"id\":\"task-unknown\",\"contextId\":\"ctx-2\"}],\"totalSize\":2}";
        agent.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + list + "}"));

        TestHttp.Reply mcpList = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");
        TestHttp.Reply mcpOwn = mcp(replica2, "acme", acmeOn2, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");
        TestHttp.Reply a2aList = a2a(replica2, "globex", "ListTasks", "{}");
        TestHttp.Reply a2aOwn = a2a(replica2, "acme", "ListTasks", "{}");

        // Both lists show an identified caller its own tasks only: acme's, learnt from Redis through replica 2, to acme;
        // the task nobody holds (maybe another caller's still in flight) to no identified caller.
        assertThat(mcpList.json().at("/result/tasks").findValuesAsText("taskId")).as(mcpList.body().toString()).isEmpty();
        assertThat(mcpOwn.json().at("/result/tasks").findValuesAsText("taskId")).as(mcpOwn.body().toString()).containsExactly("job-1");
        // An A2A list shows an identified caller its own tasks only: acme's, learnt from Redis through replica 2, to acme.
        assertThat(a2aList.json().at("/result/tasks").findValuesAsText("id")).as(a2aList.body().toString()).isEmpty();
        assertThat(a2aList.json().at("/result/totalSize").asInt()).isZero();
        assertThat(a2aOwn.json().at("/result/tasks").findValuesAsText("id")).as(a2aOwn.body().toString()).containsExactly("task-9");
        assertThat(a2aOwn.json().at("/result/totalSize").asInt()).isEqualTo(1);
    }

    /** Streamable HTTP servers commonly answer a POST with SSE: the event holding the list waits for Redis, later ones behind it. */
    @Test
    @org.junit.jupiter.api.Timeout(15)
    void aTasksListAnsweredOnAnSseStreamThroughTheOtherReplicaLosesAnotherCallersTasks() throws Exception {
        String acme = initialize(replica1, "acme");
        String globex = initialize(replica2, "globex");
        String acmeOn2 = initialize(replica2, "acme");
        mcp(replica1, "acme", acme, CREATE_REPORT);
        awaitBindings(1);
        answerListOnSse();

        TestHttp.Reply list = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");
        TestHttp.Reply own = mcp(replica2, "acme", acmeOn2, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");

        assertThat(list.status()).isEqualTo(200);
        String body = list.body().toString();
        assertThat(body).as(body).contains("notifications/message").contains("\"tasks\":[]").doesNotContain("job-1").doesNotContain("job-elsewhere");
        assertThat(body.indexOf("notifications/message")).as("events stay in order").isLessThan(body.indexOf("\"tasks\":[]"));
        assertThat(body.indexOf("\"tasks\":[]")).isLessThan(body.indexOf("after the list"));
        String acmeBody = own.body().toString();
        assertThat(acmeBody).as(acmeBody).contains("job-1").doesNotContain("job-elsewhere");
        assertThat(acmeBody.indexOf("job-1")).as("events stay in order").isLessThan(acmeBody.indexOf("after the list"));
    }

    /** An A2A ListTasks answered on SSE through replica 2: each event's list is filtered with the shared bindings. */
    @Test
    @org.junit.jupiter.api.Timeout(15)
    void aListTasksAnsweredOnAnSseStreamThroughTheOtherReplicaLosesAnotherCallersTasks() throws Exception {
        a2a(replica1, "acme", "SendMessage", message(""));
        String list = "{\"tasks\":[" + A2A_TASK + ",{\"id\":\"task-unknown\",\"contextId\":\"ctx-2\"}],\"totalSize\":2}";
        agent.answer(request -> request.response().putHeader("Content-Type", "text/event-stream")
                .end("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + list + "}\n\n"));

        TestHttp.Reply listed = a2a(replica2, "acme", "ListTasks", "{}");
        redisServer.stop();
        TestHttp.Reply unchecked = a2a(replica2, "globex", "ListTasks", "{}");

        // acme's own task, known to replica 2 through Redis only; the task nobody holds is no identified caller's to see.
        assertThat(listed.body().toString()).as(listed.body().toString()).contains("task-9").doesNotContain("task-unknown");
        assertThat(unchecked.body().toString()).as(unchecked.body().toString()).contains("task_store_unavailable")
                .doesNotContain("task-9").doesNotContain("task-unknown");
    }

    @Test
    @org.junit.jupiter.api.Timeout(15)
    void whenRedisCannotAnswerATasksListOnAnSseStreamTheCallGetsTheStoresErrorInItsPlace() throws Exception {
        String globex = initialize(replica2, "globex");
        redisServer.stop();
        answerListOnSse();

        TestHttp.Reply list = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");

        String body = list.body().toString();
        assertThat(body).as(body).contains("task_store_unavailable").contains("\"id\":5").doesNotContain("job-1").doesNotContain("job-elsewhere");
    }

    /**
     * The requests a streamed list carries are decided even when the task store cannot filter the list: a denied one is
     * what the call gets (and is audited), not the store's error that would leave it undecided.
     */
    @Test
    @org.junit.jupiter.api.Timeout(15)
    void whenRedisCannotAnswerAStreamedTasksListTheRequestsItCarriesAreStillDecided() throws Exception {
        String globex = initialize(replica2, "globex");
        redisServer.stop();
        mcpUpstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "text/event-stream")
                .end("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"}],"
                        + "\"inputRequests\":{\"r1\":{\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[{\"role\":\"user\","
                        + "\"content\":{\"type\":\"text\",\"text\":\"hi\"}}],\"maxTokens\":10}}}}}\n\n"));

        TestHttp.Reply list = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");

        String body = list.body().toString();
        assertThat(body).as(body).contains("no-sampling").contains("\"id\":5").doesNotContain("job-1");
    }

    private void answerListOnSse() {
        mcpUpstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "text/event-stream")
                .end("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"listing\"}}\n\n"
                        + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"},"
                        + "{\"taskId\":\"job-elsewhere\",\"status\":\"working\"}]}}\n\n"
                        + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"after the list\"}}\n\n"));
    }

    @Test
    void whenRedisCannotAnswerARequestNamingAnUnseenTaskIsRefusedAndOthersPass() throws Exception {
        String acme = initialize(replica1, "acme");
        mcp(replica1, "acme", acme, CREATE_REPORT);
        awaitBindings(1);
        redisServer.stop();
        int before = mcpUpstream.received().size();

        TestHttp.Reply get = mcp(replica2, "acme", acme, taskRequest(4, "tasks/get"));
        TestHttp.Reply a2aGet = a2a(replica2, "acme", "GetTask", "{\"id\":\"task-9\"}");
        TestHttp.Reply ping = mcp(replica2, "acme", acme, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
        TestHttp.Reply own = mcp(replica1, "acme", acme, taskRequest(7, "tasks/get"));

        assertThat(get.status()).as(get.body().toString()).isEqualTo(503);
        assertThat(get.reason()).isEqualTo("task_store_unavailable");
        assertThat(get.json().path("id").asInt()).isEqualTo(4);
        assertThat(a2aGet.status()).as(a2aGet.body().toString()).isEqualTo(503);
        assertThat(a2aGet.reason()).isEqualTo("task_store_unavailable");
        assertThat(agent.received()).as("the agent saw nothing").isEmpty();
        assertThat(ping.status()).as("a request naming no task does not need the store").isEqualTo(200);
        assertThat(own.status()).as("a task this replica saw created needs no lookup").isEqualTo(200);
        assertThat(mcpUpstream.received()).as("only the ping and replica 1's own tasks/get were forwarded").hasSize(before + 2);
        assertThat(replica2.gateway().metrics().registry().get("tollgate.task.store.errors").tag("op", "read").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    /** A Redis that accepts connections and never answers: the read times out (redis.timeout) and the call is refused. */
    @Test
    void aRedisThatDoesNotAnswerInTimeRefusesTheCallAfterItsTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            RunningGateway hung = RunningGateway.start(vertx, yaml("redis").replace(redisServer.uri(), "redis://127.0.0.1:" + silent.getLocalPort()));
            try {
                String acme = initialize(hung, "acme");
                long started = System.nanoTime();

                TestHttp.Reply get = mcp(hung, "acme", acme, taskRequest(4, "tasks/get"));

                assertThat(get.status()).as(get.body().toString()).isEqualTo(503);
                assertThat(get.reason()).isEqualTo("task_store_unavailable");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("answered at the 500 ms timeout").isBetween(400L, 5_000L);
                assertThat(mcpUpstream.received()).as("only the initialize was forwarded").hasSize(1);
            } finally {
                hung.close();
            }
        }
    }

    @Test
    void whenRedisCannotAnswerATasksListNamingUnseenTasksIsWithheld() throws Exception {
        String globex = initialize(replica2, "globex");
        redisServer.stop();
        mcpUpstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"}]}}"));

        TestHttp.Reply list = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");

        assertThat(list.status()).as(list.body().toString()).isEqualTo(502);
        assertThat(list.reason()).isEqualTo("task_store_unavailable");
        assertThat(list.body().toString()).doesNotContain("job-1");
    }

    /**
     * An answer creating a task whose binding cannot be written is withheld (review: it was relayed, and once Redis was
     * back the task was nobody's through the other replicas, so another tenant read, cancelled or claimed it there).
     * JSON and SSE answers, MCP and A2A: the client never gets an id the store lacks.
     */
    @Test
    @org.junit.jupiter.api.Timeout(20)
    void anAnswerCreatingATaskOrContextWhoseBindingCannotBeWrittenIsWithheld() throws Exception {
        String acme = initialize(replica1, "acme");
        redisServer.stop();

        TestHttp.Reply created = mcp(replica1, "acme", acme, CREATE_REPORT);
        TestHttp.Reply createdAgain = mcp(replica1, "acme", acme, CREATE_REPORT);
        TestHttp.Reply sent = a2a(replica1, "acme", "SendMessage", message(""));
        mcpUpstream.answer(request -> request.response().putHeader("Mcp-Session-Id", UPSTREAM_SESSION).putHeader("Content-Type", "text/event-stream")
                .end("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"starting\"}}\n\n"
                        + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"task\":{\"taskId\":\"job-2\",\"status\":\"working\"}}}\n\n"));
        TestHttp.Reply streamed = mcp(replica1, "acme", acme, CREATE_REPORT);
        agent.answer(request -> request.response().putHeader("Content-Type", "text/event-stream")
                .end("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":" + A2A_TASK.replace("9", "10").replace("ctx-1", "ctx-2") + "}}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"statusUpdate\":{\"taskId\":\"task-10\",\"contextId\":\"ctx-2\","
                        + "\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n"));
        TestHttp.Reply sentStreaming = a2a(replica1, "acme", "SendStreamingMessage", message(""));

        // The second creation of job-1 finds it bound in replica 1's memory only: it is not handed out either.
        for (TestHttp.Reply withheld : List.of(created, createdAgain, sent)) {
            assertThat(withheld.status()).as(withheld.body().toString()).isEqualTo(502);
            assertThat(withheld.reason()).isEqualTo("task_store_unavailable");
            assertThat(withheld.body().toString()).doesNotContain("job-1").doesNotContain("task-9").doesNotContain("ctx-1");
        }
        assertThat(streamed.body().toString()).as(streamed.body().toString()).contains("starting").contains("task_store_unavailable")
                .contains("\"id\":3").doesNotContain("job-2");
        assertThat(sentStreaming.body().toString()).as(sentStreaming.body().toString()).contains("task_store_unavailable")
                .doesNotContain("task-10").doesNotContain("ctx-2");
        assertThat(writeErrors(replica1)).as("the failed writes are counted").isGreaterThanOrEqualTo(5);
    }

    /**
     * A binding Redis lost (a restart without persistence, an eviction, a write that failed) is bound again by the
     * replica that holds it the next time a request names it, so the task is its creator's on every replica again.
     */
    @Test
    void aBindingRedisLostIsBoundAgainWhenItsTaskIsNextNamed() throws Exception {
        RunningGateway first = RunningGateway.start(vertx, yaml("redis", "retention: 3s"));
        RunningGateway second = RunningGateway.start(vertx, yaml("redis", "retention: 3s"));
        try {
            String acme = initialize(first, "acme");
            String globex = initialize(second, "globex");
            assertThat(mcp(first, "acme", acme, CREATE_REPORT).json().at("/result/task/taskId").asText()).isEqualTo("job-1");
            redisCommand("FLUSHALL");
            Thread.sleep(300); // past the refresh interval (3s / 24)
            assertThat(mcp(first, "acme", acme, taskRequest(4, "tasks/get")).status()).isEqualTo(200);
            awaitBindings(1);
            int before = mcpUpstream.received().size();

            TestHttp.Reply get = mcp(second, "globex", globex, taskRequest(5, "tasks/get"));

            assertThat(get.status()).as("globex reads acme's task through the other replica: " + get.body()).isEqualTo(404);
            assertThat(mcpUpstream.received()).hasSize(before);
        } finally {
            first.close();
            second.close();
        }
    }

    /**
     * A task and context in use through one replica stay in Redis past the TTL they were first written with (review: the
     * key was written once and never refreshed, while each replica keeps its own a retention after last use, so a long
     * conversation became nobody's on the other replicas a day after it began, and another tenant could claim it).
     * Retention 3s stands for 24h: acme keeps using its task through replica 1 for twice as long.
     */
    @Test
    void aTaskAndContextInUseThroughOneReplicaStayTheirCreatorsOnTheOtherPastTheirFirstTtl() throws Exception {
        RunningGateway first = RunningGateway.start(vertx, yaml("redis", "retention: 3s"));
        RunningGateway second = RunningGateway.start(vertx, yaml("redis", "retention: 3s"));
        try {
            assertThat(a2a(first, "acme", "SendMessage", message("")).json().at("/result/task/id").asText()).isEqualTo("task-9");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < until) {
                assertThat(a2a(first, "acme", "SendMessage", message("\"contextId\":\"ctx-1\",\"taskId\":\"task-9\",")).status()).isEqualTo(200);
                Thread.sleep(300);
            }
            int before = agent.received().size();

            TestHttp.Reply get = a2a(second, "globex", "GetTask", "{\"id\":\"task-9\"}");
            TestHttp.Reply joined = a2a(second, "globex", "SendMessage", message("\"contextId\":\"ctx-1\","));
            TestHttp.Reply own = a2a(second, "acme", "SendMessage", message("\"contextId\":\"ctx-1\","));

            assertThat(get.status()).as("globex reads acme's task: " + get.body()).isEqualTo(404);
            assertThat(joined.status()).as("globex joins acme's context: " + joined.body()).isEqualTo(404);
            assertThat(own.status()).as("acme continues its context through the other replica: " + own.body()).isEqualTo(200);
            assertThat(agent.received()).as("only acme's own message reaches the agent").hasSize(before + 1);
        } finally {
            first.close();
            second.close();
        }
    }

    /**
     * An upstream that hands a caller, through replica 2, a task id already bound to another caller through replica 1
     * (a buggy or shared task server) does not make the task the second caller's on replica 2: Redis's first binding is
     * every replica's (before, replica 2 kept its own, and globex used acme's task there).
     */
    @Test
    void aTaskIdAnUpstreamHandsASecondCallerStaysTheFirstCallersOnEveryReplica() throws Exception {
        String acme = initialize(replica1, "acme");
        String globex = initialize(replica2, "globex");
        assertThat(mcp(replica1, "acme", acme, CREATE_REPORT).json().at("/result/task/taskId").asText()).isEqualTo("job-1");
        assertThat(mcp(replica2, "globex", globex, CREATE_REPORT).json().at("/result/task/taskId").asText())
                .as("the task server answers every creation with job-1").isEqualTo("job-1");
        int before = mcpUpstream.received().size();

        TestHttp.Reply get = mcp(replica2, "globex", globex, taskRequest(4, "tasks/get"));
        TestHttp.Reply own = mcp(replica2, "acme", acme, taskRequest(5, "tasks/get"));

        assertThat(get.status()).as(get.body().toString()).isEqualTo(404);
        assertThat(own.status()).as(own.body().toString()).isEqualTo(200);
        assertThat(mcpUpstream.received()).as("only acme's tasks/get was forwarded").hasSize(before + 1);
    }

    /** The same within one replica's memory (tasks: {store: memory}): the first binding is kept, as for A2A tasks. */
    @Test
    void aTaskIdAnUpstreamHandsASecondCallerStaysTheFirstCallersInOneReplica() throws Exception {
        RunningGateway alone = RunningGateway.start(vertx, yaml("memory"));
        try {
            String acme = initialize(alone, "acme");
            String globex = initialize(alone, "globex");
            mcp(alone, "acme", acme, CREATE_REPORT);
            mcp(alone, "globex", globex, CREATE_REPORT);

            TestHttp.Reply get = mcp(alone, "globex", globex, taskRequest(4, "tasks/get"));

            assertThat(get.status()).as(get.body().toString()).isEqualTo(404);
            assertThat(get.reason()).isEqualTo("task_not_found");
        } finally {
            alone.close();
        }
    }

    /**
     * A tasks/list answered with an error status but a JSON-RPC result is read as a 2xx answer is (review: it was filtered
     * with replica 2's own bindings only, and listed acme's task for globex).
     */
    @Test
    void aTasksListAnsweredWithAnErrorStatusIsFilteredWithTheSharedBindingsToo() throws Exception {
        String acme = initialize(replica1, "acme");
        String globex = initialize(replica2, "globex");
        String acmeOn2 = initialize(replica2, "acme");
        mcp(replica1, "acme", acme, CREATE_REPORT);
        mcpUpstream.answer(request -> request.response().setStatusCode(400).putHeader("Mcp-Session-Id", UPSTREAM_SESSION)
                .putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"tasks\":[{\"taskId\":\"job-1\",\"status\":\"working\"},"
                        + "{\"taskId\":\"job-elsewhere\",\"status\":\"working\"}]}}"));

        TestHttp.Reply list = mcp(replica2, "globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");
        TestHttp.Reply own = mcp(replica2, "acme", acmeOn2, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/list\",\"params\":{}}");

        assertThat(list.json().at("/result/tasks").findValuesAsText("taskId")).as(list.body().toString()).isEmpty();
        assertThat(own.json().at("/result/tasks").findValuesAsText("taskId")).as(own.body().toString()).containsExactly("job-1");
    }

    @Test
    void aRetentionOutsideItsRangeDoesNotLoad() {
        for (String retention : List.of("500ms", "0s", "721h")) {
            String yaml = "listeners: [{name: p, host: 127.0.0.1, port: 0}]\nroutes: []\ntasks: {retention: " + retention + "}\n";
            assertThatThrownBy(() -> ConfigLoader.parse(yaml, "test.yaml", Map.of())).as(retention)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tasks.retention");
        }
    }

    private void redisCommand(String... command) throws Exception {
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            io.vertx.redis.client.Request request = io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.create(command[0]));
            for (int i = 1; i < command.length; i++) {
                request.arg(command[i]);
            }
            client.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    @Test
    void aRedisStoreWithoutARedisSectionDoesNotLoad() {
        String yaml = "listeners: [{name: p, host: 127.0.0.1, port: 0}]\nroutes: []\ntasks: {store: redis}\n";

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "test.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tasks.store")
                .hasMessageContaining("redis needs the top-level redis: {uri: ...} section");
    }

    @Test
    void theStoreIsMemoryUnlessConfigured() throws Exception {
        String yaml = "listeners: [{name: p, host: 127.0.0.1, port: 0}]\nroutes: []\n";

        assertThat(ConfigLoader.parse(yaml, "test.yaml", Map.of()).tasks().store()).isEqualTo(TasksConfig.Store.MEMORY);
        assertThat(replica1.gateway().snapshot().live().toJson().at("/config/tasks/store").asText()).isEqualTo("REDIS");
    }

    /**
     * A value under a binding's key that the gateway would not write (an owner that is not text, a context without an
     * owner: corruption, or another deployment under the same prefix) fails the read and the call is refused 503,
     * never read as nobody's (review of the store: it was, and the call passed).
     */
    @Test
    void aMalformedBindingInRedisRefusesTheCallInsteadOfBindingNobody() throws Exception {
        String globex = initialize(replica2, "globex");
        Redis client = Redis.createClient(vertx, redisServer.uri());
        try {
            RedisAPI api = RedisAPI.api(client);
            api.set(List.of(key("task", scopeOf("upstream"), "job-1"), "{\"tool\":\"report\",\"owner\":42}"))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            api.set(List.of(key("context", scopeOf("agent"), "ctx-1"), "{\"owner\":[\"acme\"]}"))
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

    /** What the route's bindings are kept under (its server's scope, see TaskScopes). */
    private String scopeOf(String route) {
        return replica2.gateway().snapshot().routes().routes().stream().filter(r -> r.name().equals(route)).findFirst().orElseThrow()
                .taskScope().name();
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
        return yaml(store, "");
    }

    /** @param tasks more of the tasks: section, such as {@code retention: 3s} */
    private String yaml(String store, String tasks) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                sessions:
                  keys: [{id: k, secret: "%s"}]
                redis: {uri: "%s", timeout: 500ms}
                tasks: {store: %s%s}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), Base64.getEncoder().encodeToString(KEY),
                redisServer.uri(), store, tasks.isEmpty() ? "" : ", " + tasks, mcpUpstream.url("/mcp"), agent.url(""));
    }

    /** Waits until Redis holds as many bindings as the test created (a refresh is written without holding anything). */
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
