package dev.tollgate.gateway.review;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, fa92cd8 / 5b06e28): on the 0.3 HTTP+JSON binding an agent answers in proto JSON, which the client
 * (@a2a-js/sdk 1.3.0 LegacyRestTransport, dist/compat/v0_3/client: SendMessageResponse/StreamResponse/Task/
 * TaskStatusUpdateEvent.fromJSON) reads with ts-proto's readers: the original field names as aliases ({@code context_id},
 * {@code task_id}, {@code status_update}, {@code artifact_update}) and {@code String(id)} of any id. A2aTaskLearner reads
 * only the camelCase names and textual ids, so the task or context such an answer hands the caller is bound to nobody:
 * another tenant reads the task and joins the conversation (TaskOwnershipStage: unknown is anyone's). The proto JSON
 * spec has every reader accept both names (protojson, Python's json_format, Java's JsonFormat do), and Python's
 * MessageToDict(preserving_proto_field_name=True) writes the snake_case ones.
 */
class LegacyRestAnswerAliasesReviewTest {

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

    private static final String MESSAGE = "{\"message\":{\"messageId\":\"m1\",%s\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"go\"}]}}";

    /** {@code {"task": {"context_id": ...}}}: the client's Task.fromJSON reads context_id; the learner does not. */
    @Test
    void aContextNamedContextIdInAProtoTaskAnswerIsTheStarters() throws Exception {
        answerJson("{\"task\":{\"id\":\"task-9\",\"context_id\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}}");
        assertThat(send("acme", MESSAGE.formatted("")).status()).isEqualTo(200);
        int before = upstream.received().size();

        TestHttp.Reply joined = send("globex", MESSAGE.formatted("\"contextId\":\"ctx-1\","));

        assertThat(joined.status()).as("globex joins acme's conversation: " + joined.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    /** {@code {"task": {"id": 9}}}: the client's Task.fromJSON reads String(9), task "9"; the learner binds nothing. */
    @Test
    void aTaskWhoseProtoIdIsANumberIsTheCreators() throws Exception {
        answerJson("{\"task\":{\"id\":9,\"contextId\":\"ctx-9\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}}");
        assertThat(send("acme", MESSAGE.formatted("")).status()).isEqualTo(200);
        int before = upstream.received().size();

        TestHttp.Reply get = getTask("globex", "9");

        assertThat(get.status()).as("globex reads acme's task 9: " + get.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    /** A stream of {@code {"status_update": {"task_id", "context_id"}}}: the client's StreamResponse.fromJSON reads it. */
    @Test
    void aTaskNamedByASnakeCaseStatusUpdateOnAStreamIsTheCreators() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "text/event-stream")
                .end("data: {\"status_update\":{\"task_id\":\"task-7\",\"context_id\":\"ctx-7\",\"status\":{\"state\":\"TASK_STATE_WORKING\"},\"final\":false}}\n\n"
                        + "data: {\"status_update\":{\"task_id\":\"task-7\",\"context_id\":\"ctx-7\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"},\"final\":true}}\n\n"));
        TestHttp.Reply stream = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/rest/v1/message:stream")
                .putHeader("X-Waxell-AXID", tokens.token("acme", "a")), Buffer.buffer(MESSAGE.formatted("")));
        assertThat(stream.body().toString()).contains("task-7");
        answerJson("{\"id\":\"task-7\",\"contextId\":\"ctx-7\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"}}");
        int before = upstream.received().size();

        TestHttp.Reply get = getTask("globex", "task-7");
        TestHttp.Reply joined = send("globex", MESSAGE.formatted("\"contextId\":\"ctx-7\","));

        assertThat(get.status()).as("globex reads acme's streamed task: " + get.body()).isEqualTo(404);
        assertThat(joined.status()).as("globex joins acme's streamed conversation: " + joined.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    /** A duplicate key: JSON.parse reads the last value, the gateway's strict parser refuses the answer, which is withheld. */
    @Test
    void anAnswerWithADuplicateKeyIsNotRelayed() throws Exception {
        answerJson("{\"task\":{\"id\":\"decoy\",\"id\":\"task-5\",\"contextId\":\"ctx-5\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}}");

        TestHttp.Reply created = send("acme", MESSAGE.formatted(""));

        assertThat(created.status()).as(created.body().toString()).isEqualTo(502);
        assertThat(created.body().toString()).doesNotContain("task-5");
    }

    /**
     * Not only the 0.3 binding: @a2a-js/sdk 1.3.0's 1.0 client (dist/client: SendMessageResponse/StreamResponse/Task.fromJSON)
     * reads the same aliases from a 1.0 JSON-RPC result.
     */
    @Test
    void aContextNamedContextIdInA10JsonRpcTaskAnswerIsTheStarters() throws Exception {
        answerJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":{\"id\":\"task-9\",\"context_id\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}}}");
        String message = "{\"message\":{\"messageId\":\"m1\",%s\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}";
        assertThat(jsonRpc("acme", message.formatted("")).status()).isEqualTo(200);
        int before = upstream.received().size();

        TestHttp.Reply joined = jsonRpc("globex", message.formatted("\"contextId\":\"ctx-1\","));

        assertThat(joined.status()).as("globex joins acme's conversation: " + joined.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    private TestHttp.Reply jsonRpc(String tenant, String params) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":" + params + "}"));
    }

    private void answerJson(String body) {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json").end(body));
    }

    private TestHttp.Reply send(String tenant, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/rest/v1/message:send").putHeader("X-Waxell-AXID", tokens.token(tenant, "a")),
                Buffer.buffer(body));
    }

    private TestHttp.Reply getTask(String tenant, String id) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/a2a/rest/v1/tasks/" + id).putHeader("X-Waxell-AXID", tokens.token(tenant, "a")), null);
    }
}
