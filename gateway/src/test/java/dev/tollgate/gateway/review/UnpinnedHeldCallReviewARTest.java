package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Review AR: ApprovalRecheck decides a held call again "as a new call would be" after a reload, but only with the
 * serving policy: the route's pin state (a tool withdrawn from its manifest on a route that hides unreviewed tools) and
 * withheld tools are decided before policy in PolicyStage, and are not checked again. A held call to a tool the reload
 * unpinned is forwarded on approval, while the same call sent now is refused.
 */
class UnpinnedHeldCallReviewARTest {

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
    private static final String ADD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":1}}}";

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
        manifest("add", "sub");
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
    void aHeldCallToAToolTheReloadUnpinnedIsNotForwarded() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD));
        String id = awaitPending();
        manifest("sub"); // the operator withdraws add from the reviewed manifest (on-change: hide)
        gateway.swap(load());

        TestHttp.Reply again = post(ADD.replace("\"id\":1", "\"id\":2"));
        assertThat(again.json().has("error")).as("control: the same add sent now is refused (not pinned): %s", again.json()).isTrue();
        assertThat(upstream.received()).as("control: nothing forwarded yet").isEmpty();

        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        System.out.println("held add after unpinning reload: " + reply.json());
        assertThat(upstream.received())
                .as("route 'raw' hides tools not in its manifest and add was withdrawn from it by the reload (a new add is"
                        + " refused), yet the held add was forwarded on approval: ApprovalRecheck re-decides with the serving"
                        + " policy only, not the route's pin state (nor withheld tools), and SettledFacts answers toolPinned from"
                        + " the first decision; reply: %s", reply.json())
                .isEmpty();
    }

    @Test
    void controlAHeldCallIsForwardedAfterAReloadThatKeepsTheManifest() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(ADD));
        String id = awaitPending();
        manifest("add", "sub");
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(upstream.received()).as("the approved add is forwarded: %s", reply.json()).hasSize(1);
    }

    private void manifest(String... tools) throws Exception {
        java.util.List<JsonNode> defs = new java.util.ArrayList<>();
        for (String tool : tools) {
            defs.add(JSON.readTree("{\"name\":\"" + tool + "\",\"description\":\"" + tool + "s two numbers\","
                    + "\"inputSchema\":{\"type\":\"object\"}}"));
        }
        dev.tollgate.gateway.pinning.PinManifest.record("raw", dev.tollgate.gateway.pinning.PinnedDefinitions.Kind.TOOLS, defs, null, null)
                .write(dir.resolve("pins/raw.yaml"));
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
                  - {name: raw, path: /raw, protocol: mcp, policy: p, upstream: "%s", axid: %s, pinning: {manifest: pins/raw.yaml, on-change: hide}}
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
