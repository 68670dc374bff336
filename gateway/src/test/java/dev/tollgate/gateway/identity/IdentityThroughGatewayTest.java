package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AXIDs on a real gateway: refused before anything is forwarded, and their claims decide policy. */
class IdentityThroughGatewayTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";
    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: acme-only\n    condition: {not: {claim: {name: tenant, eq: acme}}}\n    action: deny\n    message: only acme\n";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private OctetKeyPair key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + AxidTokens.ISSUER + "\", audience: "
                        + AxidTokens.AUDIENCE + "}}"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply call(String token) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp");
        if (token != null) {
            options.putHeader("X-Waxell-AXID", token);
        }
        return http.send(options, Buffer.buffer(CALL));
    }

    @Test
    void missingTokenIsRefusedWithAChallengeAndNothingForwarded() throws Exception {
        TestHttp.Reply reply = call(null);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errorCode()).isEqualTo(-32040);
        assertThat(reply.reason()).isEqualTo("axid_missing");
        assertThat(reply.headers().get("WWW-Authenticate")).contains("X-Waxell-AXID", "axid_missing");
        assertThat(upstream.received()).isEmpty();
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.AXID_MISSING)).isEqualTo(1);
    }

    @Test
    void forgedTokenIsRefusedWithItsReason() throws Exception {
        TestHttp.Reply reply = call(AxidTokens.valid(DevAxid.newKey("k1"), Instant.now()));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.reason()).isEqualTo("axid_bad_signature");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void validTokenIsAcceptedStrippedBeforeTheUpstreamAndItsClaimsDecidePolicy() throws Exception {
        TestHttp.Reply acme = call(AxidTokens.valid(key, Instant.now()));
        TestHttp.Reply beta = call(AxidTokens.sign(key, h -> h, c -> c.claim("tenant", "beta"), Instant.now()));

        assertThat(acme.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).headers().get("X-Waxell-AXID")).as("the AXID is stripped by default").isNull();
        assertThat(beta.reason()).isEqualTo("policy_denied");
        assertThat(beta.json().path("error").path("data").path("rule").asText()).isEqualTo("acme-only");
        assertThat(upstream.received()).hasSize(1);
        // A token of its own (distinct jti), verified once, then answered from the cache: 1 hit in 4 lookups.
        String token = AxidTokens.sign(key, h -> h, c -> c.jwtID("repeat"), Instant.now());
        call(token);
        call(token);
        assertThat(gateway.gateway().metrics().scrape()).contains("tollgate_cache_hit_ratio{cache=\"axid\"} 0.25");
    }
}
