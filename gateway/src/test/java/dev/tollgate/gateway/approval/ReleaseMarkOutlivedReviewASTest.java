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
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AS (suspicion 4 of review AR): the "let through once" mark of an ask-client approval is kept in Redis for a
 * lifetime fixed when it is set, from the releasing replica's clock and the session max-age serving then
 * (AskClientRetryStage.proceed: askedAt + sessions.maxAge + 1 min, turned into a PX by Approvals.releaseOnce with that
 * replica's Instant.now()). Whether the same requestState is still accepted is judged later, by whichever replica the
 * retry reaches, against its own clock and the max-age serving then. A reload that lengthens sessions.max-age (or a
 * replica whose clock lags the releasing one's by over a minute) leaves the requestState valid after the mark expired;
 * the approval is still known (its Redis hash lives its timeout + 1 h, the holder's history longer), so the same approved
 * retry sent again after the mark expired is let through a second time: one approval, two calls.
 */
class ReleaseMarkOutlivedReviewASTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private Gateway holder;
    private Gateway other;
    private String prefix;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: deploys-need-a-yes
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 10m, on-timeout: deny, ask-client: true}
                """);
        prefix = "ask-mark-" + System.nanoTime();
        config("15s");
        holder = replica();
        other = replica();
    }

    private void config(String maxAge) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                sessions: {max-age: %s}
                redis: {uri: "%s", key-prefix: "%s"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, maxAge, redis.uri(), prefix, upstream.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        for (Gateway g : new Gateway[] {holder, other}) {
            if (g != null) {
                g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void anApprovedRetryIsLetThroughOnceEvenAfterTheSessionMaxAgeIsLengthened() throws Exception {
        java.time.Instant askedAt = java.time.Instant.now();
        JsonNode asked = call(holder, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        JsonNode done = call(other, state);
        assertThat(done.at("/result/content/0/text").asText()).as("control: the user's yes lets the call through: %s", done).isEqualTo("deployed");
        assertThat(upstream.received()).hasSize(1);

        // The operator lengthens sessions.max-age (15 s to 1 h) on both replicas: the requestState handed out stays valid.
        config("1h");
        holder.swap(load());
        other.swap(load());
        JsonNode replayedAtOnce = call(other, state);
        assertThat(replayedAtOnce.at("/error/data/reason").asText()).as("control: replayed at once (to the replica that let it through), refused: %s", replayedAtOnce)
                .isEqualTo("approval_answer_not_taken");

        // The mark is kept for a lifetime fixed when it was set (since 2d0fd793: the state's expiry then + 1 min + 1 h, so
        // waiting for it no longer fits a test): dropped here, as Redis drops it once that lifetime is over, which is always
        // after the max-age serving when the state was handed out (15 s: room for the controls above on a busy machine) has passed.
        await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(30)).until(() -> java.time.Instant.now().isAfter(askedAt.plusSeconds(16)));
        RedisAPI api = RedisAPI.api(Redis.createClient(vertx, redis.uri()));
        List<String> marks = new ArrayList<>();
        api.keys(prefix + ":approval-released:*").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).forEach(k -> marks.add(k.toString()));
        assertThat(marks).as("control: the approval's let-through mark").hasSize(1);
        api.del(marks).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        JsonNode replayed = call(holder, state);
        assertThat(upstream.received())
                .as("one approval lets one call through, yet the approved retry replayed after its 'let through' mark expired (the"
                        + " requestState still valid under the serving max-age, the approval still known) was forwarded again: %s", replayed)
                .hasSize(1);
    }

    private dev.tollgate.gateway.pipeline.GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private Gateway replica() throws Exception {
        return Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
}
