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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approvals.store: redis} with a 2026-07-28 client: the retry carrying the user's answer may reach another
 * replica than the one that held the call and asked. It ends the approval through Redis there (the holder learns it),
 * and the call goes on, or is refused, on the replica the retry reached. The user's no is a no whoever takes it.
 */
class AskClient2026OtherReplicaTest {

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
                    approval: {timeout: 10s, on-timeout: allow, ask-client: true}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "ask-2026-%d"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), System.nanoTime(), upstream.url("/mcp")));
        holder = replica();
        other = replica();
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
    void aNoTakenByAnotherReplicaRefusesTheCallAndEndsTheHoldersApproval() throws Exception {
        JsonNode asked = call(holder, null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");

        JsonNode answer = call(other, asked.at("/result/requestState").asText(), JSON.createObjectNode().put("action", "decline"));

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("approval_denied");
        String id = answer.at("/error/data/approval_id").asText();
        // The holder learns the ending through Redis (published, so a moment later).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin(holder, "/approvals/" + id).body().toString())
                .contains("\"denied\"").contains("declined by the user in the client"));
        Thread.sleep(500);
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aYesTakenByAnotherReplicaIsForwardedThere() throws Exception {
        JsonNode asked = call(holder, null, null);
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);

        JsonNode done = call(other, asked.at("/result/requestState").asText(), yes);

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed");
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).body().toString()).doesNotContain("requestState").doesNotContain("inputResponses");
    }

    @Test
    void anApproversNoBeforeTheRetryStandsAgainstTheUsersYes() throws Exception {
        JsonNode asked = call(holder, null, null);
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(other, HttpMethod.GET, "/approvals", null).json().path("pending"),
                list -> list.size() == 1).get(0).path("id").asText();
        admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"ops\"}");

        JsonNode answer = call(other, asked.at("/result/requestState").asText(), yes());

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("approval_denied");
        assertThat(answer.at("/error/data/decided_by").asText()).isEqualTo("ops");
        assertThat(upstream.received()).isEmpty();
    }

    /** One approved answer is one call on every replica: its retry replayed to another replica is refused there too. */
    @Test
    void anApprovedRetryReplayedToAnotherReplicaIsRefused() throws Exception {
        JsonNode asked = call(holder, null, null);
        String state = asked.at("/result/requestState").asText();

        JsonNode done = call(other, state, yes());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed");
        JsonNode replayed = call(holder, state, yes());

        assertThat(replayed.at("/error/data/reason").asText()).as(replayed.toString()).isEqualTo("approval_answer_not_taken");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void anApproversYesBeforeTheRetryLetsItThroughOnce() throws Exception {
        JsonNode asked = call(holder, null, null);
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(holder, HttpMethod.GET, "/approvals", null).json().path("pending"),
                list -> list.size() == 1).get(0).path("id").asText();
        admin(holder, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"ops\"}");

        JsonNode done = call(holder, asked.at("/result/requestState").asText(), yes());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed");
        JsonNode again = call(holder, asked.at("/result/requestState").asText(), yes());
        assertThat(again.at("/error/data/reason").asText()).as(again.toString()).isEqualTo("approval_answer_not_taken");
        assertThat(upstream.received()).hasSize(1);
    }

    /** Review AG: the holder counts the pending approval against the caller until it ends, wherever it was answered. */
    @Test
    void theHoldersSlotIsGivenBackWhenAnotherReplicaTakesTheAnswer() throws Exception {
        JsonNode asked = call(holder, null, null);
        assertThat(holder.services().concurrentCalls().tasksRunning("tools")).as("the pending approval holds a slot on its holder").isEqualTo(1);

        JsonNode done = call(other, asked.at("/result/requestState").asText(), yes());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed");
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.services().concurrentCalls().tasksRunning("tools") == 0);
        assertThat(other.services().concurrentCalls().tasksRunning("tools")).isZero();
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(Gateway gateway, String state, JsonNode answer) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            params.putObject("inputResponses").set("tollgate-approval", answer);
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

    private Gateway replica() throws Exception {
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, String path) throws Exception {
        return admin(gateway, HttpMethod.GET, path, null);
    }

    private TestHttp.Reply admin(Gateway gateway, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }
}
