package dev.tollgate.gateway.admin;

import static dev.tollgate.gateway.admin.AdminAccessTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * No {@code admin.token}: explain and reload are open only when the admin listener is bound to loopback.
 * Bound to every interface they are refused, while probes and metrics keep working.
 */
class AdminWithoutTokenTest {

    @Test
    void explainAndReloadAreRefusedWhenTheAdminListenerIsNotLoopback() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 0.0.0.0, port: 0}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9/mcp"}
                """);
             TestHttp http = new TestHttp(vertx)) {
            AtomicInteger reloads = new AtomicInteger();
            gateway.gateway().admin().reloader(() -> {
                reloads.incrementAndGet();
                throw new AssertionError("must not reload");
            });
            int port = gateway.gateway().adminPort();

            TestHttp.Reply explain = http.send(post(port, "/explain"), Buffer.buffer("{\"policy\":\"p\",\"call\":{}}"));
            TestHttp.Reply reload = http.send(post(port, "/reload"), Buffer.buffer());
            TestHttp.Reply health = http.send(get(port, "/healthz"), null);
            TestHttp.Reply metrics = http.send(get(port, "/metrics"), null);

            assertRefused(explain, 403, "admin_token_not_configured", "set admin.token");
            assertRefused(reload, 403, "admin_token_not_configured", "bind admin.host to a loopback address");
            assertThat(explain.headers().get("WWW-Authenticate")).as("no token could succeed: not a 401").isNull();
            assertThat(reloads).hasValue(0);
            assertThat(health.status()).isEqualTo(200);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body().toString()).contains("tollgate_admin_rejects_total{reason=\"admin_token_not_configured\"} 2.0");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static RequestOptions post(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Content-Type", "application/json");
    }

    private static RequestOptions get(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    }
}
