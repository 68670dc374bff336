package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, 5b06e28 "an answer creating a task or context is relayed only once its binding is held"): on A2A
 * routes the client's Accept-Encoding is forwarded (UpstreamCall strips it for MCP and for cards only), and an A2A answer
 * is not checked for Content-Encoding (AnswerEncoding is read for policed MCP answers only). An agent that compresses
 * (Express compression(), a gzip-on reverse proxy) answers acme's SendMessage gzipped; A2aTaskLearner cannot parse it,
 * "teaches nothing", and the answer is relayed: acme's client (Node's fetch sends Accept-Encoding: gzip, deflate by
 * default, and inflates) gets task-9 and ctx-1, bound to nobody, so globex reads the task and joins the conversation.
 * (Result rules fail closed on the same bytes; ListTasks too; only the binding fails open.)
 */
class CompressedA2aAnswerBindsNothingReviewTest {

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
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + (body.contains("SendMessage") ? "{\"task\":" + TASK + "}" : TASK) + "}";
            String accepted = request.getHeader("Accept-Encoding");
            if (accepted != null && accepted.contains("gzip")) {
                request.response().putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "gzip")
                        .end(Buffer.buffer(gzip(answer)));
            } else {
                request.response().putHeader("Content-Type", "application/json").end(answer);
            }
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
    void aTaskAndContextCreatedByACompressedAnswerAreTheCreators() throws Exception {
        TestHttp.Reply created = jsonRpc("acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}", "gzip, deflate");
        assertThat(created.status()).isEqualTo(200);
        // Fixed: the gateway no longer forwards Accept-Encoding on A2A routes (it reads the answers), so the agent answers
        // uncompressed; the task and context are learnt and bound to acme.
        assertThat(created.body().toString()).as("acme holds task-9").contains("\"id\":\"task-9\"");
        assertThat(upstream.received().get(0).headers().contains("Accept-Encoding")).isFalse();
        int before = upstream.received().size();

        TestHttp.Reply get = jsonRpc("globex", "GetTask", "{\"id\":\"task-9\"}", null);
        TestHttp.Reply joined = jsonRpc("globex", "SendMessage",
                "{\"message\":{\"messageId\":\"m2\",\"contextId\":\"ctx-1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"more\"}]}}", null);

        assertThat(get.status()).as("globex reads acme's task: " + get.body()).isEqualTo(404);
        assertThat(joined.status()).as("globex joins acme's context: " + joined.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    /** An agent compressing unasked: the answer the gateway cannot read as the client does is not relayed (fail closed). */
    @Test
    void aCompressedAnswerTheGatewayMustReadIsNotRelayed() throws Exception {
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "gzip")
                .end(Buffer.buffer(gzip("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"task\":" + TASK + "}}"))));

        TestHttp.Reply created = jsonRpc("acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}", "gzip");

        assertThat(created.status()).isEqualTo(502);
        assertThat(created.json().at("/error/data/reason").asText()).as(created.body().toString()).isEqualTo("upstream_invalid_response");
        assertThat(created.headers().get("Content-Encoding")).isNull();
    }

    private TestHttp.Reply jsonRpc(String tenant, String method, String params, String acceptEncoding) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token(tenant, "a"));
        if (acceptEncoding != null) {
            options.putHeader("Accept-Encoding", acceptEncoding);
        }
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    private static byte[] gzip(String text) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
