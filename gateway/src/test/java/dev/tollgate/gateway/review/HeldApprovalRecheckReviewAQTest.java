package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AQ: the re-decision of a held call whose approval ends after a reload (ApprovalRecheck) does not decide it as
 * the configuration serving now decides a new call.
 *
 * <p>(1) SettledFacts answers every rate-limit and budget check "met", also for a rule the reload added that the held
 * call never secured anything under: an emergency rate limit (or budget ceiling) the operator reloads does not apply to
 * the calls already waiting for approval, although the same call sent now is denied by it.
 *
 * <p>(2) The route's own admission (its axid mode, allowed SPIFFE ids, OAuth) is never checked again: a reload that
 * makes the route require a verified AXID (or drops the caller's SPIFFE id) still forwards the anonymous caller's held
 * call on approval, while a new call from it gets 401.
 */
class HeldApprovalRecheckReviewAQTest {

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
    private static final String EMERGENCY_RATE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: emergency-one-call-an-hour
                condition: {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1}}}
                action: deny
                message: one call an hour
              - name: approve-add
                condition: {tool: add}
                action: approve
                approval: {timeout: 30s, on-timeout: deny}
            """;
    private static final String ADD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":1}}}";
    private static final String SUB = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"sub\",\"arguments\":{\"a\":1,\"b\":1}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE);
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(DevAxid.newKey("k1").toPublicJWK()).toString());
        config("optional");
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
    void aHeldCallIsNotLetThroughARateLimitTheServingPolicyAddedAndDeniesItUnder() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_RATE);
        gateway.swap(load());

        // Controls: under the serving policy the caller's one call this hour is taken (by sub), and the same add sent now
        // is denied by the emergency rule, before any approval is asked.
        TestHttp.Reply sub = post(SUB);
        assertThat(upstream.received()).as("control: the caller's one call this hour (sub) is forwarded: %s", sub.json()).hasSize(1);
        TestHttp.Reply again = post(ADD.replace("\"id\":1", "\"id\":2"));
        assertThat(again.json().path("error").path("data").path("rule").asText())
                .as("control: the same add sent now is denied by the serving policy: %s", again.json())
                .isEqualTo("emergency-one-call-an-hour");
        int forwardedBefore = upstream.received().size();

        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        System.out.println("held add after approval: " + reply.json());
        assertThat(upstream.received().size() - forwardedBefore)
                .as("the serving policy denies 'add' for this caller (rule emergency-one-call-an-hour, as the control call shows),"
                        + " yet the held add approved after the reload was forwarded: SettledFacts answered the new rule's rate"
                        + " limit 'not limited'; the held call's reply: %s", reply.json())
                .isZero();
    }

    @Test
    void aHeldAnonymousCallIsNotForwardedOnceTheRouteRequiresAVerifiedAxid() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD));
        String id = awaitPending();
        config("required"); // the operator closes the route to anonymous callers
        gateway.swap(load());

        TestHttp.Reply anonymous = post(ADD.replace("\"id\":1", "\"id\":2"));
        assertThat(anonymous.status()).as("control: a new anonymous call is refused 401: %s", anonymous.body().toString()).isEqualTo(401);
        assertThat(upstream.received()).as("control: nothing forwarded yet").isEmpty();

        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        System.out.println("held anonymous add after approval: " + reply.status() + " " + reply.body().toString());
        assertThat(upstream.received())
                .as("route 'raw' now requires a verified AXID (a new anonymous call gets 401), yet the anonymous caller's held"
                        + " call was forwarded on approval: ApprovalRecheck checks route name, upstream and policy, not the"
                        + " route's admission; reply: %s", reply.body().toString())
                .isEmpty();
    }

    private GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private void config(String axid) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate}}
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

    private TestHttp.Reply post(String body) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), "/raw"), Buffer.buffer(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
