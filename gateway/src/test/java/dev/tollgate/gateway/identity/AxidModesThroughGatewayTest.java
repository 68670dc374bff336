package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-route AXID modes and the forward setting on a real gateway: {@code optional} checks a token
 * when one is sent and lets anonymous calls through, {@code off} never reads the header, and
 * {@code forward: pass} hands the verified token to the upstream where {@code strip} (the default) removes it.
 */
class AxidModesThroughGatewayTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private OctetKeyPair key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
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

    private RunningGateway gateway(String mode, String forward) throws Exception {
        return RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s%s}}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all%s}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), AxidTokens.ISSUER, AxidTokens.AUDIENCE,
                forward == null ? "" : ", forward: " + forward, upstream.url("/mcp"), mode == null ? "" : ", axid: " + mode));
    }

    private TestHttp.Reply call(RunningGateway gateway, String token) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp");
        if (token != null) {
            options.putHeader("X-Waxell-AXID", token);
        }
        return http.send(options, Buffer.buffer(CALL));
    }

    @Test
    void optionalRefusesAnInvalidTokenWithItsReasonAndNothingForwarded() throws Exception {
        try (RunningGateway gateway = gateway("optional", null)) {
            TestHttp.Reply forged = call(gateway, AxidTokens.valid(DevAxid.newKey("k1"), Instant.now()));
            TestHttp.Reply garbage = call(gateway, "hello");

            assertThat(forged.status()).isEqualTo(401);
            assertThat(forged.errorCode()).isEqualTo(-32040);
            assertThat(forged.reason()).isEqualTo("axid_bad_signature");
            assertThat(garbage.status()).isEqualTo(401);
            assertThat(garbage.reason()).isEqualTo("axid_malformed");
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void optionalPassesACallWithoutATokenAndOneWithAValidToken() throws Exception {
        try (RunningGateway gateway = gateway("optional", null)) {
            TestHttp.Reply anonymous = call(gateway, null);
            TestHttp.Reply verified = call(gateway, AxidTokens.valid(key, Instant.now()));

            assertThat(anonymous.status()).isEqualTo(200);
            assertThat(anonymous.json().has("result")).isTrue();
            assertThat(verified.status()).isEqualTo(200);
            assertThat(verified.json().has("result")).isTrue();
            assertThat(upstream.received()).hasSize(2);
        }
    }

    @Test
    void singleUseAcceptsEachTokenOnceAndNeedsItsJti() throws Exception {
        try (RunningGateway gateway = gateway("single-use", null)) {
            String token = AxidTokens.sign(key, h -> h, c -> c.jwtID("once-1"), Instant.now());
            TestHttp.Reply first = call(gateway, token);
            TestHttp.Reply replayed = call(gateway, token);
            TestHttp.Reply another = call(gateway, AxidTokens.sign(key, h -> h, c -> c.jwtID("once-2"), Instant.now()));
            TestHttp.Reply withoutJti = call(gateway, AxidTokens.sign(key, h -> h, c -> c.jwtID(null), Instant.now()));
            TestHttp.Reply withoutToken = call(gateway, null);

            assertThat(first.status()).isEqualTo(200);
            assertThat(replayed.status()).isEqualTo(401);
            assertThat(replayed.reason()).isEqualTo("axid_replayed");
            assertThat(another.status()).isEqualTo(200);
            assertThat(withoutJti.reason()).isEqualTo("axid_missing_claim");
            assertThat(withoutToken.reason()).isEqualTo("axid_missing");
            assertThat(upstream.received()).as("only the two first uses reach the upstream").hasSize(2);
        }
    }

    @Test
    void aFullReplayGuardRefusesNewSingleUseTokensRatherThanForgetOne() throws Exception {
        JtiReplayGuard guard = new JtiReplayGuard(2);
        var services = new dev.tollgate.gateway.GatewayServices(new dev.tollgate.gateway.metrics.GatewayMetrics(),
                dev.tollgate.gateway.telemetry.Telemetry.disabled(), null, null, null, null, null, guard, null, null, null);
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s}}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all, axid: single-use}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), AxidTokens.ISSUER, AxidTokens.AUDIENCE, upstream.url("/mcp"));
        try (RunningGateway gateway = RunningGateway.start(vertx, yaml, services)) {
            String first = AxidTokens.sign(key, h -> h, c -> c.jwtID("full-1"), Instant.now());
            TestHttp.Reply one = call(gateway, first);
            TestHttp.Reply two = call(gateway, AxidTokens.sign(key, h -> h, c -> c.jwtID("full-2"), Instant.now()));
            TestHttp.Reply third = call(gateway, AxidTokens.sign(key, h -> h, c -> c.jwtID("full-3"), Instant.now()));
            TestHttp.Reply replayOfFirst = call(gateway, first);

            assertThat(one.status()).isEqualTo(200);
            assertThat(two.status()).isEqualTo(200);
            assertThat(third.status()).isEqualTo(503);
            assertThat(third.reason()).isEqualTo("axid_replay_guard_full");
            assertThat(replayOfFirst.reason()).as("a full guard still knows every id it holds").isEqualTo("axid_replayed");
            assertThat(upstream.received()).as("only the two remembered first uses reach the upstream").hasSize(2);
        }
    }

    @Test
    void offIgnoresEvenAGarbageToken() throws Exception {
        try (RunningGateway gateway = gateway("off", null)) {
            TestHttp.Reply reply = call(gateway, "hello");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().has("result")).isTrue();
            assertThat(upstream.received()).hasSize(1);
        }
    }

    @Test
    void forwardPassHandsTheVerifiedTokenToTheUpstream() throws Exception {
        String token = AxidTokens.valid(key, Instant.now());
        try (RunningGateway gateway = gateway(null, "pass")) {
            assertThat(call(gateway, token).status()).isEqualTo(200);
        }

        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).headers().getAll("X-Waxell-AXID")).containsExactly(token);
    }

    /**
     * Two AXID headers, each signed by the trusted key for another tenant: the gateway would verify one and, with
     * {@code forward: pass}, hand both upstream, where the one read may be the other. Refused, on every mode that reads them.
     */
    @Test
    void twoAxidHeadersAreRefusedAndNeitherIsForwarded() throws Exception {
        String acme = AxidTokens.valid(key, Instant.now());
        String globex = AxidTokens.sign(key, h -> h, c -> c.claim("tenant", "globex").jwtID("globex-1"), Instant.now());
        for (String mode : List.of("required", "optional", "single-use")) {
            try (RunningGateway gateway = gateway(mode, "pass")) {
                TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp")
                        .addHeader("X-Waxell-AXID", acme).addHeader("X-Waxell-AXID", globex), Buffer.buffer(CALL));

                assertThat(reply.status()).as(mode).isEqualTo(401);
                assertThat(reply.errorCode()).as(mode).isEqualTo(-32040);
                assertThat(reply.reason()).as(mode).isEqualTo("axid_malformed");
            }
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aSignedTokenWhoseTenantIsNotAStringIsRefused() throws Exception {
        try (RunningGateway gateway = gateway(null, null)) {
            TestHttp.Reply reply = call(gateway, AxidTokens.sign(key, h -> h, c -> c.claim("tenant", List.of("globex")), Instant.now()));

            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.errorCode()).isEqualTo(-32040);
            assertThat(reply.reason()).isEqualTo("axid_malformed");
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void forwardStripIsTheDefaultAndRemovesTheToken() throws Exception {
        try (RunningGateway explicit = gateway(null, "strip")) {
            assertThat(call(explicit, AxidTokens.valid(key, Instant.now())).status()).isEqualTo(200);
        }
        try (RunningGateway byDefault = gateway(null, null)) {
            assertThat(call(byDefault, AxidTokens.sign(key, h -> h, c -> c.jwtID("second"), Instant.now())).status()).isEqualTo(200);
        }

        assertThat(upstream.received()).hasSize(2);
        assertThat(upstream.received()).allSatisfy(r -> assertThat(r.headers().contains("X-Waxell-AXID")).isFalse());
    }
}
