package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's answer that Redis does not confirm within {@code redis.timeout} (a Redis paused longer than that): the
 * gateway cannot cancel the command, so it reads the approval back and answers 503 with what it knows, and the answer
 * never takes effect behind that 503 (its deadline has passed when Redis runs it). The 2026 retry's path
 * ({@link dev.tollgate.gateway.pipeline.AskClientRetryStage}) on a replica that does not hold the call; the 2025
 * answer's stage and the approver's endpoint go through the same step.
 */
class UnconfirmedClientAnswerTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway holder;
    private Gateway other;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: deploys-need-a-yes
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 20s, on-timeout: deny, ask-client: true}
                """);
        String prefix = "unconfirmed-" + System.nanoTime();
        holder = replica("holder.yaml", prefix, "5s");
        other = replica("other.yaml", prefix, "100ms");
    }

    @AfterEach
    void stop() throws Exception {
        for (Gateway g : new Gateway[] {holder, other}) {
            if (g != null) {
                g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void aRetryRedisDidNotConfirmIsRefused503AndNeverTakesEffectLater() throws Exception {
        JsonNode asked = call(holder, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(holder, "/approvals").json().path("pending"),
                list -> list.size() == 1).get(0).path("id").asText();
        // GET /approvals/{id} on a replica that does not hold it reads Redis (and warms that replica's connection).
        TestHttp.Reply elsewhere = admin(other, "/approvals/" + id);
        assertThat(elsewhere.status()).as(elsewhere.body().toString()).isEqualTo(200);
        assertThat(elsewhere.json().path("state").asText()).isEqualTo("pending");
        Thread.sleep(300);

        assertThat(command("CLIENT PAUSE 800 ALL")).isEqualTo("+OK");
        JsonNode refused = call(other, asked.at("/result/requestState").asText());

        assertThat(refused.at("/error/data/reason").asText()).as(refused.toString()).isEqualTo("approval_answer_not_taken");
        assertThat(refused.toString()).contains("whether the answer was recorded is unknown");
        assertThat(upstream.received()).isEmpty();
        // Redis runs the timed-out answer once the pause ends: past its deadline, it does nothing.
        Thread.sleep(1500);
        TestHttp.Reply after = admin(other, "/approvals/" + id);
        assertThat(after.json().path("state").asText()).as(after.body().toString()).isEqualTo("pending");
        assertThat(admin(holder, "/approvals/" + id).json().path("state").asText()).isEqualTo("pending");
        assertThat(upstream.received()).isEmpty();

        // "Send it again" holds: the same retry, with Redis back, goes through once.
        JsonNode again = call(other, asked.at("/result/requestState").asText());
        assertThat(again.at("/result/content/0/text").asText()).as(again.toString()).isEqualTo("deployed");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void anApproversDecisionRedisDidNotConfirmIsAnswered503OutcomeUnknownAndGetSaysWhatHolds() throws Exception {
        JsonNode asked = call(holder, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(holder, "/approvals").json().path("pending"),
                list -> list.size() == 1).get(0).path("id").asText();
        admin(other, "/approvals");
        Thread.sleep(300);

        assertThat(command("CLIENT PAUSE 800 ALL")).isEqualTo("+OK");
        TestHttp.Reply bob = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(other.adminPort())
                .setURI("/approvals/" + id).putHeader("Authorization", "Bearer " + TOKEN), Buffer.buffer("{\"decision\":\"approve\",\"by\":\"bob\"}"));

        assertThat(bob.status()).as(bob.body().toString()).isEqualTo(503);
        assertThat(bob.json().path("error").asText()).startsWith("outcome unknown").endsWith("see GET /approvals/" + id);
        Thread.sleep(1500);
        assertThat(admin(other, "/approvals/" + id).json().path("state").asText()).isEqualTo("pending");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void getOfAnApprovalNoReplicaKnowsIs404() throws Exception {
        TestHttp.Reply unknown = admin(other, "/approvals/apr_nobody");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).isEqualTo("no approval apr_nobody");
    }

    private JsonNode call(Gateway gateway, String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            ObjectNode yes = params.putObject("inputResponses").putObject("tollgate-approval").put("action", "accept");
            yes.putObject("content").put("approve", true);
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private Gateway replica(String file, String prefix, String timeout) throws Exception {
        Files.writeString(dir.resolve(file), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "%s", timeout: %s}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), prefix, timeout, upstream.url("/mcp")));
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve(file)), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, String path) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), (Buffer) null);
    }

    /** Sends one inline command on its own connection and waits for its first reply line. */
    private String command(String line) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
