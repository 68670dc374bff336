package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Review AA: {@code approvals.store: redis} with {@code ask-client: true}. Replicas share sessions ("the session id must
 * be enough to route"), so a client's next POST (its answer to the gateway's approval question) may reach another
 * replica than the one holding the call. {@code ElicitationAnswerStage} looks the approval up with
 * {@code Approvals.find}, which knows only this replica's held calls; on any other replica the user's answer is
 * logged as "no such approval here", answered 202 as if taken, and dropped. The user declined; the call waits for its
 * timeout, and with {@code on-timeout: allow} it is forwarded: the user's "no" became a yes.
 */
class ClientAnswerOnOtherReplicaReviewAATest {

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
    void aUsersDeclineTakenByAnotherReplicaRefusesTheHeldCall() throws Exception {
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
                  - name: deploys-need-a-yes
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 3s, on-timeout: allow, ask-client: true}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "review-aa-ask-%d"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), System.nanoTime(), upstream.url("/mcp")));
        holder = replica();
        other = replica();

        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(holder.port(), "/mcp",
                        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{}}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(other, "/approvals").json().path("pending"), list -> list.size() == 1)
                .get(0).path("id").asText();

        // The client's user says no; the load balancer sends the answer to the other replica.
        TestHttp.Reply answer = http.postMcp(other.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-approval-" + id + "\",\"result\":{\"action\":\"decline\"}}");
        assertThat(answer.status()).as("the answer was taken (202, as MCP answers a response)").isEqualTo(202);

        TestHttp.Reply reply = held.get(15, TimeUnit.SECONDS);
        assertThat(upstream.received())
                .as("the user declined in the client (answer accepted 202 by replica B), yet the holder let the call through at its"
                        + " timeout: %s; holder says %s", reply.body(), admin(holder, "/approvals/" + id).body())
                .isEmpty();
    }

    private Gateway replica() throws Exception {
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, String path) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), (Buffer) null);
    }
}
