package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: {@code GET /admin/config} promises "every token, secret, password and URL user-info replaced by
 * {@code <redacted>}". The Vert.x Redis client also takes the password (and user) from the URI's query
 * ({@code redis://host:6379/0?password=...}, read by {@code RedisURI}), and the gateway accepts such a URI, but
 * {@code LiveConfig} only redacts user-info: the Redis password is served in clear on the admin port (and, with no
 * admin token on a loopback admin listener, to every local process, an agent included).
 */
class AdminConfigRedisQueryPasswordReviewAATest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final String REDIS_PASSWORD = "hunter2-redis-query-password";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (http != null) {
            http.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAnAdminTokenOnLoopbackAnyLocalProcessReadsTheRedisPassword() throws Exception {
        start("");
        // No Authorization header at all: a local agent's plain GET.
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/admin/config"), null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString())
                .as("a tokenless local process (an agent on the host) must not read the Redis password, with which it could write"
                        + " approval decisions, budgets and rate limits straight into Redis")
                .doesNotContain(REDIS_PASSWORD);
    }

    private void start(String token) throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0%s}
                policies: {directory: policies}
                redis: {uri: "redis://127.0.0.1:6399/0?user=gateway&password=%s"}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "http://127.0.0.1:9/mcp"}
                """.formatted(token, REDIS_PASSWORD));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRedisPasswordGivenInTheUriQueryIsNotServedByAdminConfig() throws Exception {
        start(", token: \"" + TOKEN + "\"");
        // The same string is what the Redis client authenticates with.
        assertThat(new io.vertx.redis.client.impl.RedisURI("redis://127.0.0.1:6399/0?user=gateway&password=" + REDIS_PASSWORD).password())
                .isEqualTo(REDIS_PASSWORD);

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/admin/config").putHeader("Authorization", "Bearer " + TOKEN), null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString())
                .as("/admin/config must redact every password, including the Redis password the client reads from the URI query")
                .doesNotContain(REDIS_PASSWORD);
    }
}
