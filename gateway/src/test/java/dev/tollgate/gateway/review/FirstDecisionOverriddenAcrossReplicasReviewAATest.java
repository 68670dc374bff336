package dev.tollgate.gateway.review;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: {@code approvals.store: redis}, "A second decision gets 409 with the first". Bob denies a held call on
 * replica B: B's script records "denied" in Redis, answers Bob 200 {@code denied}, and queues the decision in the
 * holder's inbox, which the holder reads every 200 ms. Alice approves the same call on the holding replica A within
 * that window: {@code Approvals.decide} finds the call in its local map and ends it at once, without looking at Redis,
 * so Alice also gets 200 {@code approved}, the call is forwarded, and A's {@code ended} write overwrites Bob's denial
 * in Redis. The first, acknowledged decision (a denial) is silently overruled by a later one.
 */
class FirstDecisionOverriddenAcrossReplicasReviewAATest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway holder;
    private Gateway other;

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
    void aDenialAcknowledgedOnOneReplicaIsNotOverruledByALaterApprovalOnTheHolder() throws Exception {
        redis = RedisServer.start();
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
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 30s, on-timeout: deny}}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "review-aa-first-%d"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), System.nanoTime(), upstream.url("/mcp")));
        holder = replica();
        other = replica();

        for (int attempt = 0; attempt < 10; attempt++) {
            int before = upstream.received().size();
            CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.postMcp(holder.port(), "/mcp",
                            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{}}}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode pending = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> admin(other, HttpMethod.GET, "/approvals", null).json().path("pending"), list -> list.size() == 1).get(0);
            String id = pending.path("id").asText();
            // Bob denies on replica B and is told it is done...
            TestHttp.Reply bob = admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"bob\"}");
            assertThat(bob.status()).isEqualTo(200);
            assertThat(bob.json().path("outcome").asText()).isEqualTo("denied");
            // ...then Alice, a moment later, approves on the replica that holds the call.
            TestHttp.Reply alice = admin(holder, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
            TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
            boolean forwarded = upstream.received().size() > before;
            assertThat(forwarded)
                    .as("attempt %d: bob's denial of %s was recorded and answered 200 first; alice's later approval on the holder answered"
                            + " %d %s and the call was forwarded: %s", attempt, id, alice.status(), alice.body(), reply.body())
                    .isFalse();
            assertThat(alice.status()).as("a second decision gets 409 with the first").isEqualTo(409);
            await().atMost(Duration.ofSeconds(5)).until(() -> admin(other, HttpMethod.GET, "/approvals", null).json().path("pending").isEmpty());
        }
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
