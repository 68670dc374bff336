package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An A2A task belongs to the caller whose message created it: another tenant's GetTask, CancelTask or
 * message continuing the task is answered as A2A's TaskNotFoundError (-32001 over JSON-RPC, 404 over
 * HTTP+JSON) and never reaches the agent; the owner's calls pass.
 */
class A2aTaskOwnershipTest {

    private static final String TASK = "{\"id\":\"task-9\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String answer = request.path().endsWith("/jsonrpc")
                    ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + (body.contains("SendMessage") ? "{\"task\":" + TASK + "}" : TASK) + "}"
                    : TASK;
            request.response().putHeader("Content-Type", "application/json").end(answer);
        });
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), upstream.url("")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anotherTenantCannotReadCancelOrContinueTheTask() throws Exception {
        TestHttp.Reply created = jsonRpc("acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        assertThat(created.json().at("/result/task/id").asText()).isEqualTo("task-9");
        int before = upstream.received().size();

        TestHttp.Reply get = jsonRpc("globex", "GetTask", "{\"id\":\"task-9\"}");
        TestHttp.Reply cancel = jsonRpc("globex", "CancelTask", "{\"id\":\"task-9\"}");
        TestHttp.Reply continued = jsonRpc("globex", "SendMessage",
                "{\"message\":{\"messageId\":\"m2\",\"taskId\":\"task-9\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"more\"}]}}");
        TestHttp.Reply rest = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/v1/tasks/task-9").putHeader("X-Waxell-AXID", token("globex")), null);

        for (TestHttp.Reply refused : List.of(get, cancel, continued)) {
            assertThat(refused.json().at("/error/code").asInt()).as(refused.body().toString()).isEqualTo(-32001);
        }
        assertThat(rest.status()).isEqualTo(404);
        assertThat(upstream.received()).as("nothing of another tenant's task reaches the agent").hasSize(before);

        TestHttp.Reply own = jsonRpc("acme", "GetTask", "{\"id\":\"task-9\"}");
        assertThat(own.json().at("/result/id").asText()).isEqualTo("task-9");
        assertThat(upstream.received()).hasSize(before + 1);
    }

    /**
     * A context (conversation) belongs to the caller whose message started it: agents keep its history and memory
     * under its id, so another tenant's message naming it, even without a task, never reaches the agent.
     */
    @Test
    void anotherTenantCannotJoinTheContext() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        int before = upstream.received().size();

        TestHttp.Reply joined = jsonRpc("globex", "SendMessage", message("\"contextId\":\"ctx-1\""));
        TestHttp.Reply snake = jsonRpc("globex", "SendMessage", message("\"context_id\":\"ctx-1\""));

        for (TestHttp.Reply refused : List.of(joined, snake)) {
            assertThat(refused.status()).as(refused.body().toString()).isEqualTo(404);
            assertThat(refused.json().at("/error/code").asInt()).isEqualTo(-32001);
            assertThat(refused.reason()).isEqualTo("a2a_context_not_found");
        }
        assertThat(upstream.received()).as("another tenant's message in acme's context never reaches the agent").hasSize(before);

        TestHttp.Reply own = jsonRpc("acme", "SendMessage", message("\"contextId\":\"ctx-1\""));
        TestHttp.Reply fresh = jsonRpc("globex", "SendMessage", message("\"contextId\":\"ctx-globex\""));
        assertThat(own.json().has("result")).as(own.body().toString()).isTrue();
        assertThat(fresh.json().has("result")).as("a context nobody started is anyone's to start: " + fresh.body()).isTrue();
        assertThat(upstream.received()).hasSize(before + 2);
    }

    /**
     * The JavaScript SDK reads a message's task under {@code taskId} or, when that is absent, {@code task_id}, and loads
     * every task named in {@code referenceTaskIds} (or {@code reference_task_ids}) to hand it to the agent: each is
     * another tenant's task there, and is refused as such.
     */
    @Test
    void anotherTenantCannotContinueOrReferenceTheTaskUnderAnySpelling() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        int before = upstream.received().size();

        List<TestHttp.Reply> refused = List.of(
                jsonRpc("globex", "SendMessage", message("\"task_id\":\"task-9\"")),
                jsonRpc("globex", "SendMessage", message("\"taskId\":null,\"task_id\":\"task-9\"")),
                jsonRpc("globex", "SendMessage", message("\"referenceTaskIds\":[\"task-other\",\"task-9\"]")),
                jsonRpc("globex", "SendMessage", message("\"reference_task_ids\":[\"task-9\"]")),
                jsonRpc("globex", "GetTaskPushNotificationConfig", "{\"task_id\":\"task-9\",\"id\":\"c1\"}"));

        for (TestHttp.Reply reply : refused) {
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(404);
            assertThat(reply.errorCode()).as(reply.body().toString()).isEqualTo(-32001);
            assertThat(reply.reason()).isEqualTo("a2a_task_not_found");
        }
        assertThat(upstream.received()).as("nothing of another tenant's task reaches the agent").hasSize(before);

        TestHttp.Reply own = jsonRpc("acme", "SendMessage", message("\"referenceTaskIds\":[\"task-9\"]"));
        assertThat(own.json().at("/result/task/id").asText()).isEqualTo("task-9");
        assertThat(upstream.received()).hasSize(before + 1);
    }

    /**
     * The JavaScript SDK reads any JSON value as an id ({@code String(["task-9"])} is {@code "task-9"}): an id that is not
     * a string is refused before ownership is looked up, whoever sends it.
     */
    @Test
    void anIdThatIsNotAStringIsRefusedBeforeItReachesTheAgent() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        int before = upstream.received().size();

        List<TestHttp.Reply> refused = List.of(
                jsonRpc("globex", "GetTask", "{\"id\":[\"task-9\"]}"),
                jsonRpc("globex", "CancelTask", "{\"id\":[\"task-9\"]}"),
                jsonRpc("globex", "SubscribeToTask", "{\"id\":{\"toString\":\"task-9\"}}"),
                jsonRpc("globex", "ListTaskPushNotificationConfigs", "{\"taskId\":[\"task-9\"]}"),
                jsonRpc("globex", "SendMessage", message("\"taskId\":[\"task-9\"]")),
                jsonRpc("globex", "SendMessage", message("\"referenceTaskIds\":[[\"task-9\"]]")),
                jsonRpc("globex", "SendMessage", message("\"referenceTaskIds\":\"task-9\"")),
                jsonRpc("acme", "GetTask", "{\"id\":[\"task-9\"]}"));

        for (TestHttp.Reply reply : refused) {
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
            assertThat(reply.errorCode()).as(reply.body().toString()).isEqualTo(-32602);
            assertThat(reply.reason()).isEqualTo("invalid_params");
        }
        assertThat(upstream.received()).hasSize(before);
    }

    /**
     * The SDK reads a push-config call's task from a member that depends on the version and binding (0.3 JSON-RPC get,
     * list and delete: {@code id}; 0.3 REST create: the body's {@code name} over the path): a call naming two tasks is
     * refused, so it cannot be decided on the caller's task and act on acme's (its webhook and token).
     */
    @Test
    void aPushConfigCallNamingTwoTasksIsRefused() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        int before = upstream.received().size();

        List<TestHttp.Reply> refused = List.of(
                jsonRpc("globex", "tasks/pushNotificationConfig/get", "{\"id\":\"task-9\",\"taskId\":\"task-globex\",\"pushNotificationConfigId\":\"cfg\"}"),
                jsonRpc("globex", "tasks/pushNotificationConfig/list", "{\"id\":\"task-9\",\"taskId\":\"task-globex\"}"),
                jsonRpc("globex", "tasks/pushNotificationConfig/delete", "{\"id\":\"task-9\",\"task_id\":\"task-globex\",\"pushNotificationConfigId\":\"cfg\"}"),
                http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/agent/v1/tasks/task-globex/pushNotificationConfigs").putHeader("Content-Type", "application/json")
                        .putHeader("X-Waxell-AXID", token("globex")), Buffer.buffer("{\"name\":\"tasks/task-9/pushNotificationConfigs/evil\","
                        + "\"pushNotificationConfig\":{\"url\":\"https://hooks.example.com/globex\"}}")));

        for (TestHttp.Reply reply : refused) {
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
            assertThat(reply.body().toString()).contains("invalid_params");
        }
        assertThat(upstream.received()).as("no call naming acme's task beside another reaches the agent").hasSize(before);

        TestHttp.Reply byId = jsonRpc("globex", "tasks/pushNotificationConfig/get", "{\"id\":\"task-9\",\"pushNotificationConfigId\":\"cfg\"}");
        assertThat(byId.errorCode()).as("0.3 names the task id: acme's, not found for globex").isEqualTo(-32001);
    }

    /**
     * The 0.3 REST binding's proto JSON puts a message's parts in {@code content} (or {@code request}), which the SDK reads
     * and the gateway does not: such a message is refused, not decided on its empty {@code parts}.
     */
    @Test
    void aMessageCarryingPartsTheGatewayDoesNotReadIsRefused() throws Exception {
        TestHttp.Reply reply = jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[],"
                + "\"content\":[{\"file\":{\"fileWithUri\":\"http://169.254.169.254/latest/meta-data/\"}}]}}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("invalid_params");
        assertThat(upstream.received()).isEmpty();
    }

    /**
     * An agent lists every task it holds: an identified caller's list keeps its own tasks only. One the gateway binds to
     * nobody may be another caller's still in flight (its blocking send binds it when it answers), so it is not listed.
     */
    @Test
    void listTasksShowsACallerOnlyTasksNotBoundToAnother() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        String list = "{\"tasks\":[" + TASK + ",{\"id\":\"task-unknown\",\"contextId\":\"ctx-2\"},{\"contextId\":\"no-id\"}],"
                + "\"totalSize\":3,\"pageSize\":50,\"nextPageToken\":\"\"}";
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end(request.path().endsWith("/jsonrpc") ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + list + "}" : list));

        TestHttp.Reply globexRpc = jsonRpc("globex", "ListTasks", "{}");
        TestHttp.Reply globexRest = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/a2a/rest/Tasks").putHeader("X-Waxell-AXID", token("globex")), null);
        TestHttp.Reply acme = jsonRpc("acme", "ListTasks", "{}");

        assertThat(globexRpc.json().at("/result/tasks").findValuesAsText("id")).isEmpty();
        assertThat(globexRpc.json().at("/result/totalSize").asInt()).isZero();
        assertThat(globexRest.status()).isEqualTo(200);
        assertThat(globexRest.json().at("/tasks").findValuesAsText("id")).isEmpty();
        assertThat(acme.json().at("/result/tasks").findValuesAsText("id")).containsExactly("task-9");
        assertThat(acme.json().at("/result/totalSize").asInt()).isEqualTo(1);
    }

    /**
     * The 0.3 HTTP+JSON binding answers a message send that creates no task as proto JSON {@code {"msg": {...}}}: its
     * context is bound to the caller as a 1.0 {@code message} answer's is, so another caller cannot join it.
     */
    @Test
    void aContextStartedByA03HttpJsonMessageAnswerIsTheStartersToo() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"msg\":{\"messageId\":\"a1\",\"contextId\":\"ctx-m\",\"role\":\"ROLE_AGENT\",\"content\":[{\"text\":\"hi\"}]}}"));
        String body = "{\"message\":{\"messageId\":\"m1\",%s\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"go\"}]}}";

        TestHttp.Reply started = legacyRest("acme", body.formatted(""));
        int before = upstream.received().size();
        TestHttp.Reply joined = legacyRest("globex", body.formatted("\"contextId\":\"ctx-m\","));

        assertThat(started.status()).as(started.body().toString()).isEqualTo(200);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(404);
        assertThat(joined.json().at("/error/details/0/metadata/reason").asText()).isEqualTo("a2a_context_not_found");
        assertThat(upstream.received()).hasSize(before);
    }

    private TestHttp.Reply legacyRest(String tenant, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/rest/v1/message:send").putHeader("X-Waxell-AXID", token(tenant)),
                Buffer.buffer(body));
    }

    /**
     * An agent answering ListTasks with an SSE stream (not the protocol's shape, but a client reading SSE reads its
     * events) gets each event's list filtered as a JSON answer's: another caller's task never reaches this one. Before,
     * the events passed unread.
     */
    @Test
    void aListTasksAnsweredOnAnSseStreamIsFilteredEventByEvent() throws Exception {
        jsonRpc("acme", "SendMessage", "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        String list = "{\"tasks\":[" + TASK + ",{\"id\":\"task-unknown\",\"contextId\":\"ctx-2\"}],\"totalSize\":2}";
        upstream.answer(request -> request.response().putHeader("Content-Type", "text/event-stream")
                .end(": keep-alive\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + list + "}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tasks\":{\"task-9\":" + TASK + "}}}\n\n"));

        TestHttp.Reply own = jsonRpc("acme", "ListTasks", "{}");
        TestHttp.Reply globex = jsonRpc("globex", "ListTasks", "{}");

        String body = own.body().toString();
        assertThat(body).as(body).contains("task-9").contains("\"totalSize\":1").doesNotContain("task-unknown")
                .contains("upstream_invalid_response");
        String other = globex.body().toString();
        assertThat(other).as(other).contains("\"totalSize\":0").doesNotContain("task-9").doesNotContain("task-unknown");
    }

    /**
     * A stream's later events are read too (they used to be skipped once the first task was learnt): a second task or
     * context an event names is the caller's as well, and a later event naming a task in a form the client reads
     * otherwise (two spellings that disagree) is replaced like a first one.
     */
    @Test
    void everyEventOfAMessageStreamBindsWhatItNames() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "text/event-stream")
                .end("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":" + TASK + "}}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"statusUpdate\":{\"taskId\":\"task-second\","
                        + "\"contextId\":\"ctx-second\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n"
                        + "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"statusUpdate\":{\"taskId\":\"task-third\","
                        + "\"task_id\":\"task-fourth\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}\n\n"));
        TestHttp.Reply stream = jsonRpc("acme", "SendStreamingMessage",
                "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"id\":\"task-second\",\"contextId\":\"ctx-second\"}}"));
        int before = upstream.received().size();

        TestHttp.Reply get = jsonRpc("globex", "GetTask", "{\"id\":\"task-second\"}");
        TestHttp.Reply joined = jsonRpc("globex", "SendMessage", message("\"contextId\":\"ctx-second\""));

        String body = stream.body().toString();
        assertThat(body).as(body).contains("task-second").contains("upstream_invalid_response").doesNotContain("\"task_id\"");
        assertThat(get.json().at("/error/code").asInt()).as(get.body().toString()).isEqualTo(-32001);
        assertThat(joined.reason()).as(joined.body().toString()).isEqualTo("a2a_context_not_found");
        assertThat(upstream.received()).as("nothing of acme's second task or context reaches the agent for globex").hasSize(before);
        assertThat(jsonRpc("acme", "GetTask", "{\"id\":\"task-second\"}").json().at("/result/id").asText()).isEqualTo("task-second");
    }

    @Test
    void aListTasksAnswerWithoutATasksArrayIsNotRelayed() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"tasks\":{\"task-9\":" + TASK + "}}"));

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/a2a/rest/tasks").putHeader("X-Waxell-AXID", token("globex")), null);

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.body().toString()).contains("upstream_invalid_response").doesNotContain("TASK_STATE_SUBMITTED");
    }

    private static String message(String members) {
        return "{\"message\":{\"messageId\":\"m2\"," + members + ",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"more\"}]}}";
    }

    private TestHttp.Reply jsonRpc(String tenant, String method, String params) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token(tenant)),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private String token(String tenant) throws Exception {
        return tokens.token(tenant, "a");
    }
}
