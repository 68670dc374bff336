package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.NodeServer;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CJ (medium: a rule a reload adds is passed by a held call): a call held for approval is decided again by the
 * serving policy when it is approved after a reload ({@code ApprovalRecheck}, review AO/AQ), on "its every reading". The
 * schema-defaults fix decides a call leaving out a defaulted member on its filled reading too, but keeps that reading
 * only when it refused more at first; the recheck re-decides the recorded reading alone. A wipe held by "approve every
 * wipe" names no mode (the TypeScript SDK's zod fills DESTROY, ts-defaults-server.mjs); a reload then denies
 * {@code /mode eq DESTROY}; the approver approves and the recheck, reading the call as sent, lets it run: it destroys.
 * A new call after the reload is refused (control).
 */
class HeldCallRecheckDefaultsReviewCJTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: approve-wipes
                condition: {tool: wipe}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
            """;
    private static final String NO_DESTROY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{tool: wipe}, {arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
              - name: approve-wipes
                condition: {tool: wipe}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
            """;
    // Fix FX2: a reload whose rule reads /force (a name the wipe tool does not declare at the top) makes a held call's FORCE
    // ambiguous: a new call is refused so before policy, and so is the held one on approval.
    private static final String READS_FORCE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-forced-wipes
                condition: {all: [{tool: wipe}, {arg: {path: /force, eq: true}}]}
                action: deny
                message: No forced wipes.
              - name: approve-wipes
                condition: {tool: wipe}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
            """;
    private static final String WIPE = "{\"jsonrpc\":\"2.0\",\"id\":ID,\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\","
            + "\"arguments\":{\"volume\":\"VOL\",\"mode\":\"SAFE\",\"options\":{\"scope\":\"tmp\"}}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream webhook;
    private NodeServer server;
    private TestHttp http;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        webhook = new RecordingUpstream(vertx);
        webhook.answer(r -> r.response().setStatusCode(204).end());
        server = NodeServer.start("ts-defaults-server.mjs", Map.of());
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                approvals:
                  webhook: {url: "%s", secret: "s"}
                routes:
                  - name: raw
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                """.formatted(TOKEN, webhook.url("/hook"), server.url("/mcp")));
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        TestHttp.Reply listed = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(listed.json().path("result").path("tools")).as(listed.json().toString()).hasSize(1);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        webhook.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void controlANewCallNamingNoModeAfterTheReloadIsRefused() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), NO_DESTROY);
        gateway.swap(load());
        TestHttp.Reply reply = post(wipe(2, "v2", false));
        assertThat(reply.json().path("error").path("data").path("rule").asText()).as(reply.json().toString()).isEqualTo("no-destroy");
    }

    @Test
    void aHeldCallNamingNoModeApprovedAfterAReloadDenyingDestroyDoesNotRun() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(wipe(3, "v3", false)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !webhook.received().isEmpty());
        String id = JSON.readTree(webhook.received().get(0).body().getBytes()).path("id").asText();
        Files.writeString(dir.resolve("policies/p.yaml"), NO_DESTROY);
        gateway.swap(load());
        int mark = server.markAfterPosting("/mark");
        admin("/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        String ran = server.printedSince(mark, "/mark");
        assertThat(ran).as("the serving policy denies mode DESTROY, the tool read mode DESTROY: %s", reply.json())
                .doesNotContain("EXECUTED");
    }

    @Test
    void controlANewCallSpellingForceOtherwiseAfterAReloadReadingItIsRefused() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), READS_FORCE);
        gateway.swap(load());
        TestHttp.Reply reply = post(forced(4, "v4"));
        assertThat(reply.json().path("error").path("data").path("reason").asText()).as(reply.json().toString())
                .isEqualTo("ambiguous_argument_name");
    }

    @Test
    void aHeldCallSpellingForceOtherwiseApprovedAfterAReloadReadingItIsSuperseded() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(forced(5, "v5")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !webhook.received().isEmpty());
        String id = JSON.readTree(webhook.received().get(0).body().getBytes()).path("id").asText();
        Files.writeString(dir.resolve("policies/p.yaml"), READS_FORCE);
        gateway.swap(load());
        int mark = server.markAfterPosting("/mark");
        admin("/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.json().path("error").path("data").path("superseded").asText())
                .as("the serving policy reads /force, the held call spells it FORCE: %s", reply.json()).isEqualTo("ambiguous_argument_name");
        assertThat(reply.json().path("error").path("data").path("reason").asText()).isEqualTo("approval_superseded");
        assertThat(server.printedSince(mark, "/mark")).doesNotContain("EXECUTED");
    }

    /**
     * Brief DD: FastMCP parses JSON text in a string argument ({@code pre_parse_json}); a held call sending its options so
     * is decided again on that reading when it is approved after a reload whose rule reads below {@code /options}, as a
     * new call is.
     */
    @Test
    void aHeldCallSendingItsOptionsAsJsonTextIsRecheckedAsFastMcpParsesThem() throws Exception {
        String body = wipe(6, "v6", true).replace("\"options\":{\"scope\":\"tmp\"}", "\"options\":\"{\\\"scope\\\":\\\"all\\\"}\"");
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(body));
        await().atMost(Duration.ofSeconds(10)).until(() -> !webhook.received().isEmpty());
        String id = JSON.readTree(webhook.received().get(0).body().getBytes()).path("id").asText();
        Files.writeString(dir.resolve("policies/p.yaml"), NO_ALL_SCOPE);
        gateway.swap(load());
        TestHttp.Reply control = post(body.replace("\"id\":6", "\"id\":7"));
        assertThat(control.json().path("error").path("data").path("rule").asText()).as("control: %s", control.json()).isEqualTo("no-all-scope");
        admin("/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.json().path("error").path("data").path("reason").asText()).as("%s", reply.json()).isEqualTo("approval_superseded");
        assertThat(reply.json().toString()).contains("no-all-scope");
    }

    private static final String NO_ALL_SCOPE = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-all-scope
                condition: {all: [{tool: wipe}, {arg: {path: /options/scope, eq: all}}]}
                action: deny
                message: No wiping everything.
              - name: approve-wipes
                condition: {tool: wipe}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
            """;

    /** A wipe naming its mode and sending FORCE, which no rule reads until the reload. */
    private static String forced(int id, String volume) {
        return wipe(id, volume, true).replace("\"mode\":\"SAFE\"", "\"mode\":\"SAFE\",\"FORCE\":true");
    }

    private static String wipe(int id, String volume, boolean namingMode) {
        String body = WIPE.replace("ID", String.valueOf(id)).replace("VOL", volume);
        return namingMode ? body : body.replace(",\"mode\":\"SAFE\"", "");
    }

    private dev.tollgate.gateway.pipeline.GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private TestHttp.Reply post(String body) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-11-25"), Buffer.buffer(body));
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
