package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
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
 * Review AO: a call held for approval keeps the decision it was held under across a hot reload. An operator who
 * reloads an emergency deny of the tool (or removes the route and its upstream) still sees the held call forwarded
 * the moment an approver (who sees only "pending") approves it: the new snapshot is never consulted at release.
 */
class HeldApprovalAcrossReloadReviewAOTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: approve-add
                condition: {tool: add}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
            """;
    private static final String EMERGENCY_DENY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: emergency-no-add
                condition: {tool: add}
                action: deny
                message: add is withdrawn
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream webhook;
    private RecordingUpstream plain;
    private RecordingUpstream other;
    private TestHttp http;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        webhook = new RecordingUpstream(vertx);
        webhook.answer(r -> r.response().setStatusCode(204).end());
        plain = answering();
        other = answering();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE);
        config(true);
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RecordingUpstream answering() throws Exception {
        RecordingUpstream up = new RecordingUpstream(vertx);
        up.answer(r -> {
            String body = up.received().get(up.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}");
        });
        return up;
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        webhook.close();
        plain.close();
        other.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void controlANewCallAfterTheEmergencyDenyIsRefused() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_DENY);
        gateway.swap(load());
        TestHttp.Reply reply = post("/raw", call(7, "add"));
        assertThat(reply.json().path("error").isMissingNode()).as("denied: %s", reply.json()).isFalse();
        assertThat(plain.received()).isEmpty();
    }

    @Test
    void aHeldCallApprovedAfterAReloadThatDeniesItsToolIsNotForwarded() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", call(1, "add")));
        String id = awaitWebhook().path("id").asText();
        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_DENY);
        gateway.swap(load());
        // The approver works from the pending list; nothing there says the serving policy now denies the tool.
        admin("/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        held.get(10, TimeUnit.SECONDS);
        assertThat(plain.received())
                .as("the serving policy denies 'add' (rule emergency-no-add), yet the held call reached the upstream on approval")
                .isEmpty();
    }

    @Test
    void aHeldCallApprovedAfterItsRouteWasRemovedIsNotForwardedToTheRemovedUpstream() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", call(2, "add")));
        String id = awaitWebhook().path("id").asText();
        config(false); // the route /raw and its upstream are decommissioned
        gateway.swap(load());
        assertThat(post("/raw", call(3, "add")).status()).as("control: the route is gone for new calls").isEqualTo(404);
        admin("/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        held.get(10, TimeUnit.SECONDS);
        assertThat(plain.received())
                .as("route 'raw' was removed by the reload, yet its held call reached the removed route's upstream on approval")
                .isEmpty();
    }

    private dev.tollgate.gateway.pipeline.GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private void config(boolean withRaw) throws Exception {
        String raw = withRaw ? """
                  - name: raw
                    path: /raw
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                """.formatted(plain.url("/mcp")) : "";
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                approvals:
                  webhook: {url: "%s", secret: "s"}
                routes:
                  - name: other
                    path: /other
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                %s""".formatted(TOKEN, webhook.url("/hook"), other.url("/mcp"), raw));
    }

    private JsonNode awaitWebhook() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> !webhook.received().isEmpty());
        return JSON.readTree(webhook.received().get(0).body().getBytes());
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"a\":1,\"b\":1}}}";
    }

    private TestHttp.Reply post(String path, String body) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), path), Buffer.buffer(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void admin(String path, String body) throws Exception {
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI(path).putHeader("Authorization", "Bearer " + TOKEN), Buffer.buffer(body));
        assertThat(reply.status()).as("admin decision answered").isEqualTo(200);
    }
}
