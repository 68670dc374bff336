package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BP: {@code /admin/config} promises the effective configuration "with every secret redacted", and the README
 * puts {@code oauth.upstream-credential.value} (e.g. {@code Bearer ${UPSTREAM_TOKEN}}) among the secrets taken from the
 * environment. The static upstream credential is kept in {@code OAuthConfig.upstreamValue}, serialized as
 * {@code upstream-value}, a name LiveConfig's secret-name pattern (token|secret|password|authorization|credential|api-key)
 * does not match: the upstream's own bearer token is served in clear to every holder of the admin token (and to any
 * local process when no admin token is set on a loopback admin port), and it is also fed unredacted into the config hash.
 */
class AdminConfigUpstreamCredentialReviewBPTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final String UPSTREAM_SECRET = "upstream-own-secret-7f3a9c";

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
    void theStaticUpstreamCredentialIsNotShownOnAdminConfig() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "http://127.0.0.1:9/mcp"
                    oauth:
                      resource: "http://127.0.0.1:8080/mcp"
                      issuer: "http://127.0.0.1:9"
                      introspection: {url: "http://127.0.0.1:9/introspect", client-id: tollgate, client-secret: introspection-secret-x}
                      upstream-credential: {header: Authorization, value: "Bearer %s"}
                """.formatted(TOKEN, UPSTREAM_SECRET));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = Gateway.start(vertx, loader.load(dir.resolve("gateway.yaml")), 1).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        TestHttp.Reply reply = http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.adminPort()).setURI("/admin/config")
                .putHeader("Authorization", "Bearer " + TOKEN), null);

        assertThat(reply.status()).isEqualTo(200);
        // The other OAuth secret on the route is redacted (its field is called client-secret) ...
        assertThat(reply.body().toString()).doesNotContain("introspection-secret-x");
        // ... the upstream's own credential must be too.
        assertThat(reply.body().toString()).doesNotContain(UPSTREAM_SECRET);
    }
}
