package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.util.List;
import java.util.Map;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.AdminApprovals;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AS: a reload that revokes an AXID signing key (the operator removes a compromised key from the route's JWKS
 * file) does not supersede a call held for approval whose caller was admitted with a token signed by that key.
 * ApprovalRecheck compares the AXID settings as AxidConfig records, whose jwksFile is a path: the keys read from the
 * file are not compared, so the held call is forwarded on approval, while the same caller's new call with the same
 * token is refused 401 under the serving keys.
 */
class HeldCallRevokedAxidKeyReviewASTest {
    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: approve-add
                condition: {tool: add}
                action: approve
                approval: {timeout: 30s, on-timeout: deny}
            """;
    /** After an incident: one call an hour per caller, whatever the tool, enforced before any approval. */
    private static final String ADD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":1}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway gateway;
    private OctetKeyPair compromised;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE);
        compromised = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(compromised.toPublicJWK()).toString());
        config("required");
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHeldCallAdmittedWithARevokedKeysTokenIsNotForwardedOnApproval() throws Exception {
        String token = DevAxid.mint(compromised, "https://auth.test", "tollgate", Duration.ofMinutes(4), Map.of("tenant", "acme", "agent", "a", "run", "run-1", "sub", "user-1"),
                List.of());
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD, token));
        String id = awaitPending();
        // k1 leaked: the operator replaces the route's keys with a new one and reloads.
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(DevAxid.newKey("k2").toPublicJWK()).toString());
        gateway.swap(load());

        TestHttp.Reply again = post(ADD.replace("\"id\":1", "\"id\":2"), token);
        assertThat(again.status()).as("control: a new call with a token signed by the revoked key is refused 401: %s", again.body().toString())
                .isEqualTo(401);
        assertThat(again.json().path("error").path("data").path("reason").asText()).as("control: refused for its key").isEqualTo("axid_unknown_key");
        assertThat(upstream.received()).as("control: nothing forwarded yet").isEmpty();

        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(upstream.received())
                .as("the serving configuration no longer admits tokens signed by k1 (a new call gets 401), yet the held call admitted"
                        + " with one was forwarded on approval: ApprovalRecheck compares the AXID settings' jwks-file path, not the"
                        + " keys; reply: %s", reply.body().toString())
                .isEmpty();
    }

    /** Control for the fix: keys kept, the token's minutes run out while the person decides: the approval stands. */
    @Test
    void aHeldCallWhoseTokenExpiredWhileAPersonDecidedIsForwardedAfterAReloadKeepingItsKey() throws Exception {
        String token = DevAxid.mint(compromised, "https://auth.test", "tollgate", Duration.ofSeconds(2), Map.of("tenant", "acme", "agent", "a",
                "run", "run-1", "sub", "user-1"), List.of());
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD, token));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE.replace("timeout: 30s", "timeout: 40s")); // a reload, keys kept
        gateway.swap(load());
        Thread.sleep(2_500); // past the token's expiry (1 ms of clock skew allowed here): the check is as of the call's arrival

        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(upstream.received()).as("forwarded: %s", reply.body().toString()).hasSize(1);
    }

    private GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private void config(String axid) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate, required-claims: [tenant], clock-skew: 1ms}}
                routes:
                  - {name: raw, path: /raw, protocol: mcp, policy: p, upstream: "%s", axid: %s}
                """.formatted(TOKEN, dir.resolve("jwks.json"), upstream.url("/mcp"), axid));
    }

    private String awaitPending() {
        return new AdminApprovals(http, gateway.adminPort(), TOKEN).awaitPending();
    }

    private void approve(String id) throws Exception {
        new AdminApprovals(http, gateway.adminPort(), TOKEN).approve(id);
    }

    private TestHttp.Reply admin(HttpMethod method, String path, String body) throws Exception {
        return new AdminApprovals(http, gateway.adminPort(), TOKEN).send(method, path, body);
    }

    private TestHttp.Reply post(String body, String token) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), "/raw").putHeader("X-Waxell-AXID", token), Buffer.buffer(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
