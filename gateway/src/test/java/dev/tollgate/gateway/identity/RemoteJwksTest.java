package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AXID keys from a JWKS URL: a new key is picked up on first sight; unknown kids cannot force a fetch storm. */
class RemoteJwksTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    Path dir;

    @Test
    void unknownKidTriggersOneRateLimitedRefetch() throws Exception {
        Vertx vertx = Vertx.vertx();
        OctetKeyPair first = DevAxid.newKey("k1");
        OctetKeyPair second = DevAxid.newKey("k2");
        AtomicReference<String> served = new AtomicReference<>(new JWKSet(first.toPublicJWK()).toString());
        AtomicInteger fetches = new AtomicInteger();
        HttpServer jwks = vertx.createHttpServer().requestHandler(r -> {
            fetches.incrementAndGet();
            r.response().putHeader("Content-Type", "application/json").end(served.get());
        });
        int port = jwks.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all",
                     "identity: {axid: {jwks-url: \"http://127.0.0.1:" + port + "/jwks\", jwks-min-refetch: 1h, issuer: \""
                             + AxidTokens.ISSUER + "\", audience: " + AxidTokens.AUDIENCE + "}}"));
             TestHttp http = new TestHttp(vertx)) {
            TestHttp.Reply withFirst = call(http, gateway, AxidTokens.valid(first, Instant.now()));
            assertThat(withFirst.status()).isEqualTo(200);
            assertThat(fetches).hasValue(1);

            served.set(new JWKSet(java.util.List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
            TestHttp.Reply withSecond = call(http, gateway, AxidTokens.valid(second, Instant.now()));
            assertThat(withSecond.status()).as("the new key is fetched on first sight").isEqualTo(200);
            assertThat(fetches).hasValue(2);

            for (int i = 0; i < 20; i++) {
                TestHttp.Reply forged = call(http, gateway, AxidTokens.valid(DevAxid.newKey("forged-" + i), Instant.now()));
                assertThat(forged.reason()).isEqualTo("axid_unknown_key");
            }
            assertThat(fetches).as("unknown kids within the minimum interval fetch nothing").hasValue(2);
            assertThat(upstream.received()).hasSize(2);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static TestHttp.Reply call(TestHttp http, RunningGateway gateway, String token) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token), Buffer.buffer(CALL));
    }
}
