package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approvals.store: redis}: two replicas sharing a real redis-server. A call held on one replica is listed by
 * the other, and a decision taken on the other reaches the held call; a second decision anywhere is refused.
 */
class SharedApprovalsTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{}}}";
    private static RedisServer redis;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway holder;
    private Gateway other;

    @BeforeAll
    static void redis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "approvals-test-%d"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), System.nanoTime(), upstream.url("/mcp")));
        holder = replica();
        other = replica();
    }

    @AfterEach
    void stop() throws Exception {
        holder.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anyReplicaListsAndDecidesACallHeldOnAnother() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(holder.port(), "/mcp", CALL);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode pending = await().atMost(Duration.ofSeconds(10)).until(() -> admin(other, HttpMethod.GET, "/approvals", null).json().path("pending"),
                list -> list.size() == 1);
        assertThat(pending.get(0).path("tool").asText()).isEqualTo("deploy");
        assertThat(upstream.received()).isEmpty();
        String id = pending.get(0).path("id").asText();

        TestHttp.Reply decided = admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"carol\"}");
        assertThat(decided.status()).isEqualTo(200);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("deployed");
        assertThat(upstream.received()).hasSize(1);
        // The holder recorded who decided; the decision cannot be taken twice, on either replica.
        assertThat(admin(holder, HttpMethod.GET, "/approvals/" + id, null).json().path("decision").path("by").asText()).isEqualTo("carol");
        assertThat(admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"dave\"}").status()).isEqualTo(409);
        assertThat(admin(holder, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"dave\"}").status()).isEqualTo(409);
        assertThat(admin(other, HttpMethod.GET, "/approvals", null).json().path("pending")).isEmpty();
        assertThat(admin(other, HttpMethod.POST, "/approvals/apr_unknown", "{\"decision\":\"deny\",\"by\":\"dave\"}").status()).isEqualTo(404);
    }

    @Test
    void aDenialOnAnotherReplicaRefusesTheHeldCall() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(holder.port(), "/mcp", CALL);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String id = await().atMost(Duration.ofSeconds(10)).until(() -> admin(other, HttpMethod.GET, "/approvals", null).json().path("pending"),
                list -> list.size() == 1).get(0).path("id").asText();
        admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"erin\",\"reason\":\"wrong cluster\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.reason()).isEqualTo("approval_denied");
        assertThat(reply.json().path("error").path("message").asText()).contains("wrong cluster");
        assertThat(upstream.received()).isEmpty();
    }

    private Gateway replica() throws Exception {
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }
}
