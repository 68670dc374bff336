package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code approvals: {store: redis}}: a decision given on one replica for an approval another replica holds is pushed to
 * the holder's inbox. When the holder has crashed nobody drains that inbox; it used to stay in Redis for ever, one list
 * per crashed replica. It now expires with the longest-lived approval pushed to it.
 */
class CrashedHolderInboxExpiresTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private TestHttp http;
    private Gateway live;

    @AfterEach
    void stop() throws Exception {
        if (live != null) {
            live.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void aDecisionPushedToACrashedHoldersInboxExpiresWithTheApproval() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        String prefix = "inbox-" + System.nanoTime();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "%s"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "http://127.0.0.1:9/mcp"}
                """.formatted(TOKEN, redis.uri(), prefix));
        live = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        RedisAPI api = RedisAPI.api(Redis.createClient(vertx, redis.uri()));
        // What a replica that then crashed left: a pending approval it holds, kept for 10 minutes (its timeout and then some).
        String id = "apr-crashed-1";
        String hash = prefix + ":approval:" + id;
        long expires = System.currentTimeMillis() + 300_000;
        await(api.hset(List.of(hash, "json", "{}", "owner", "crashed-replica", "state", "pending", "expires", Long.toString(expires), "asker", "")));
        await(api.pexpire(List.of(hash, "600000")));
        await(api.zadd(List.of(prefix + ":approvals:pending", Long.toString(expires), id)));

        TestHttp.Reply decided = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(live.adminPort())
                .setURI("/approvals/" + id).putHeader("Authorization", "Bearer " + TOKEN), Buffer.buffer("{\"decision\":\"deny\",\"by\":\"erin\"}"));

        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        String inbox = prefix + ":approvals:inbox:crashed-replica";
        assertThat(await(api.llen(inbox)).toLong()).as("the decision waits in the crashed holder's inbox").isEqualTo(1);
        long inboxTtl = await(api.pttl(inbox)).toLong();
        long hashTtl = await(api.pttl(hash)).toLong();
        assertThat(inboxTtl).as("the inbox's time to live (ms): -1 is for ever").isPositive().isLessThanOrEqualTo(600_000);
        assertThat(inboxTtl).isGreaterThanOrEqualTo(hashTtl - 5_000);
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
