package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AO (review BZ, finding 1), the guard for {@code approvals.store: redis}: a round of an approved call sealed by one
 * replica is taken by another sharing {@code sessions.keys} (the let-through mark is in Redis, whichever replica sealed
 * the round), once: the same retry sent again to the replica that sealed it is {@code approval_answer_not_taken}, and the
 * tool deploys once. With the in-memory store such a retry is refused (ApprovedRoundReplayAfterRestartReviewBZTest).
 * Real peers: redis-server, the TypeScript SDK v2 server (ts2-bt-resume-server.mjs, tool {@code deploy}), raw HTTP in
 * the 2026-07-28 form.
 */
class ApprovedRoundOnAnotherRedisReplicaFixAOTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-deploy
                condition: {tool: deploy}
                action: approve
                message: deploying needs a person
                approval: {timeout: 20s, on-timeout: deny, ask-client: true}
            """;

    private Vertx vertx;
    private RedisServer redis;
    private NodeServer server;
    private Path policies;
    private RunningGateway sealing;
    private RunningGateway other;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        policies = Files.createTempDirectory("tollgate-fixao-redis-policies");
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (73 + i);
        }
        String shared = """
                redis: {uri: "%s", key-prefix: "fixao-%d"}
                approvals: {store: redis}
                sessions:
                  max-age: 1h
                  keys:
                    - {id: ao, secret: "%s"}
                """.formatted(redis.uri(), System.nanoTime(), Base64.getEncoder().encodeToString(secret));
        String yaml = RunningGateway.mcpYaml(server.url("/mcp"), policies, "p", shared);
        sealing = RunningGateway.start(vertx, yaml);
        other = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        for (RunningGateway g : new RunningGateway[] {sealing, other}) {
            if (g != null) {
                g.close();
            }
        }
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        redis.close();
        Files.deleteIfExists(policies.resolve("p.yaml"));
        Files.deleteIfExists(policies);
    }

    @Test
    void aRoundSealedByOneReplicaIsTakenOnceByAnother() throws Exception {
        JsonNode asked = call(sealing, "hi", null, null);
        assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        JsonNode toolAsks = call(sealing, "hi", asked.at("/result/requestState").asText(), JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        String round = toolAsks.at("/result/requestState").asText();

        JsonNode done = call(other, "hi", round, confirm());
        assertThat(done.at("/result/content/0/text").asText()).as("taken by the other replica: " + done).isEqualTo("deployed hi");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.output().contains("DEPLOYED {\"message\":\"hi\"}"));

        JsonNode replayed = call(sealing, "hi", round, confirm());
        assertThat(replayed.at("/error/data/reason").asText()).as("the replay on the replica that sealed it: " + replayed)
                .isEqualTo("approval_answer_not_taken");
        assertThat(server.output().split("DEPLOYED", -1)).as("one approval, one deploy").hasSize(2);
    }

    private static ObjectNode confirm() {
        ObjectNode confirm = JSON.createObjectNode();
        ObjectNode answer = confirm.putObject("confirm").put("action", "accept");
        answer.putObject("content").put("approve", true);
        return confirm;
    }

    private JsonNode call(RunningGateway gateway, String message, String state, JsonNode inputResponses) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "fix-ao").put("version", "1");
        if (inputResponses != null) {
            params.set("inputResponses", inputResponses);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
