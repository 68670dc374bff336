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
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: {@code approvals.store: redis}. A person denies a held call on replica B before its deadline; B's
 * {@code DECIDE} script finds it pending in Redis, records "denied", answers the approver 200 {@code denied}, and
 * pushes the decision to the holder's inbox, which the holder reads only every 200 ms. If the holder's own timer fires
 * first, it ends the approval as {@code timed_out_allowed} ({@code on-timeout: allow}) and forwards the call; the
 * inbox entry is then dropped ({@code decidedElsewhere} finds nothing held) and the holder's {@code ended} write
 * overwrites the denial in Redis. The approver was told "denied", the audit says "timed out, allowed", and the call ran.
 * The same happens for an approval answered 200 {@code approved} while the caller gets {@code approval_timeout}. On one
 * replica (memory store) the same race is decided by one compare-and-set and the loser gets 409.
 */
class RemoteDecisionAtTimeoutReviewAATest {

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
    void aDenialAcknowledgedByAnotherReplicaBeforeTheDeadlineIsNeverOverriddenByTheTimeout() throws Exception {
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
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 1s, on-timeout: allow}}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "review-aa-%d"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), System.nanoTime(), upstream.url("/mcp")));
        holder = replica();
        other = replica();

        for (int attempt = 0; attempt < 8; attempt++) {
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
            Instant deadline = Instant.parse(pending.path("expires_at").asText());
            // The approver decides just before the deadline the listing shows.
            long wait = Duration.between(Instant.now(), deadline).toMillis() - 25;
            if (wait > 0) {
                Thread.sleep(wait);
            }
            TestHttp.Reply decided = admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"erin\"}");
            TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
            boolean forwarded = upstream.received().size() > before;
            if (decided.status() == 200) {
                assertThat(decided.json().path("outcome").asText()).isEqualTo("denied");
                assertThat(forwarded)
                        .as("attempt %d: replica B answered the approver 200 'denied' for %s, yet the holder forwarded the call (%s)", attempt, id,
                                reply.body())
                        .isFalse();
            }
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
