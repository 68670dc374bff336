package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review V, finding 2 (medium): with {@code identity.axid.forward: pass}, a route with {@code axid: off} forwards the
 * client's {@code X-Waxell-AXID} header to its upstream unverified, so a forged token reaches an upstream that was told
 * (by {@code forward: pass}) that the header it receives is the verified AXID.
 *
 * <p>Input: {@code identity.axid.forward: pass} (one setting for the whole gateway), and a route {@code axid: off}
 * (e.g. a tool server whose calls need no run identity, sharing the upstream code or the upstream library that reads the
 * AXID). The client sends {@code X-Waxell-AXID: <JWT signed by a key the gateway does not trust, tenant "globex">}.
 *
 * <p>Gateway's reading: IdentityStage returns at once on {@code off} ("the header is not read"): the call is decided as
 * anonymous. UpstreamCall's header copy skips {@code x-waxell-axid} only when {@code forward == STRIP}; with {@code pass}
 * it copies the client's header whatever the route's mode. The upstream's reading: a pass-through AXID is the verified
 * identity of the call (the reason to configure {@code pass}); it reads tenant globex from a token nobody checked.
 * On {@code required}/{@code optional} routes a forged token is refused 401 (AxidModesThroughGatewayTest), so the same
 * forged header is refused on one route and delivered on another.
 *
 * <p>Variant (second test): with no {@code identity.axid} at all, the header is relayed as the client sent it too
 * ({@code axid != null && forward == STRIP} is false), although strip is the documented default.
 *
 * <p>Suggested fix: forward the header only when the IdentityStage verified it on this call (e.g. keep the verified token
 * on the Exchange and set it on the upstream request from there; always skip the client's copy), so {@code off} routes
 * and anonymous {@code optional} calls never pass a client's header on.
 */
class UnverifiedAxidPassedReviewVTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private OctetKeyPair trusted;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        trusted = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(trusted.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aForgedAxidIsNotHandedToTheUpstreamOfAnOffRoute() throws Exception {
        String forged = sign(DevAxid.newKey("k1"), "globex");
        try (RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate, forward: pass}}
                routes:
                  - {name: verified, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}
                  - {name: open, path: /open, protocol: mcp, upstream: "%s", policy: allow-all, axid: off}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), upstream.url("/mcp"), upstream.url("/mcp")))) {
            TestHttp.Reply onVerified = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", forged), Buffer.buffer(CALL));
            assertThat(onVerified.status()).as("the forged token is refused where it is read").isEqualTo(401);
            assertThat(upstream.received()).isEmpty();

            TestHttp.Reply onOff = http.send(TestHttp.mcpPost(gateway.port(), "/open").putHeader("X-Waxell-AXID", forged), Buffer.buffer(CALL));

            assertThat(onOff.status()).isEqualTo(200);
            assertThat(upstream.received()).hasSize(1);
            assertThat(upstream.received().get(0).headers().getAll("X-Waxell-AXID"))
                    .as("an AXID the gateway never verified must not reach the upstream as the call's identity").isEmpty();
        }
    }

    /**
     * The same without any {@code identity.axid}: UpstreamCall strips the header only when an AXID config says
     * {@code strip}, so with none (the documented default being strip) every client's X-Waxell-AXID is relayed as sent.
     */
    @Test
    void withoutAnyAxidConfigurationTheClientsHeaderIsNotRelayed() throws Exception {
        String forged = sign(DevAxid.newKey("k1"), "globex");
        try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "allow-all", null))) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", forged), Buffer.buffer(CALL));

            assertThat(reply.status()).isEqualTo(200);
            assertThat(upstream.received()).hasSize(1);
            assertThat(upstream.received().get(0).headers().getAll("X-Waxell-AXID"))
                    .as("a gateway that verifies no AXID must not relay one as if it had").isEmpty();
        }
    }

    private static String sign(OctetKeyPair key, String tenant) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://auth.test").audience("tollgate").subject("user-7")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(4)))).jwtID("forged-1")
                .claim("tenant", tenant).claim("agent", "planner").claim("run", "run-1").claim("parent", "run-0").claim("tree", "t").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new Ed25519Signer(key));
        return jwt.serialize();
    }
}
