package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.AdminApprovals;
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
 * A held call an approval lets through is forwarded only if the configuration serving then agrees (review AO): a reload
 * since it was held that denies it, removes its route or moves its upstream refuses it {@code approval_superseded},
 * nothing forwarded; a reload that changes something else, or no longer asks an approval, leaves the approval standing.
 */
class ApprovalSupersededByReloadTest {

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
              - name: agents-need-a-person
                condition: {protocol: a2a}
                action: approve
                approval: {timeout: 30s, on-timeout: deny}
            """;
    private static final String EMERGENCY_DENY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: emergency-no-add
                condition: {tool: add}
                action: deny
                message: add is withdrawn
              - name: emergency-no-agents
                condition: {protocol: a2a}
                action: deny
                message: agents are withdrawn
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream plain;
    private RecordingUpstream moved;
    private RecordingUpstream agent;
    private TestHttp http;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        plain = answering();
        moved = answering();
        agent = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE);
        config(plain.url("/mcp"));
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RecordingUpstream answering() throws Exception {
        RecordingUpstream up = new RecordingUpstream(vertx);
        up.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        return up;
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        plain.close();
        moved.close();
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anApprovedCallThePolicyServingNowDeniesIsRefusedNamingTheServingRule() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_DENY);
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(plain.received()).as("nothing forwarded").isEmpty();
        assertThat(reply.status()).isEqualTo(200);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32010);
        assertThat(error.path("message").asText()).startsWith("Refused: approved, but the configuration serving now no longer lets the call through")
                .contains("emergency-no-add");
        JsonNode data = error.path("data");
        assertThat(data.path("reason").asText()).isEqualTo("approval_superseded");
        assertThat(data.path("superseded").asText()).isEqualTo("policy_denies");
        assertThat(data.path("policy").asText()).isEqualTo("p");
        assertThat(data.path("rule").asText()).isEqualTo("emergency-no-add");
        assertThat(data.path("approval_id").asText()).isEqualTo(id);
        assertThat(data.path("decided_by").asText()).isEqualTo("alice");
        assertThat(rejects()).isEqualTo("1.0");
        JsonNode record = auditRecord();
        assertThat(record.path("outcome").path("error").asText()).isEqualTo("approval_superseded");
        assertThat(record.path("decision").path("enforced").asBoolean()).as("the call was not let through").isTrue();
        assertThat(record.path("approval").path("outcome").asText()).isEqualTo("approved");
        // The approval's listing says what the person decided and that the call was not forwarded all the same.
        JsonNode listed = JSON.readTree(admin(HttpMethod.GET, "/approvals/" + id, null).body().getBytes());
        assertThat(listed.path("state").asText()).isEqualTo("approved");
        assertThat(listed.path("superseded").path("cause").asText()).isEqualTo("policy_denies");
        assertThat(listed.path("superseded").path("detail").asText()).contains("emergency-no-add");
        JsonNode recent = JSON.readTree(admin(HttpMethod.GET, "/approvals", null).body().getBytes()).path("recent").get(0);
        assertThat(recent.path("id").asText()).isEqualTo(id);
        assertThat(recent.path("superseded").path("cause").asText()).isEqualTo("policy_denies");
    }

    @Test
    void aHeldCallWhoseRouteNowReachesAnotherUpstreamIsRefusedAndNeitherUpstreamSeesIt() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        config(moved.url("/mcp")); // same route name and policy, another server
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(plain.received()).isEmpty();
        assertThat(moved.received()).isEmpty();
        assertThat(reply.reason()).isEqualTo("approval_superseded");
        assertThat(reply.json().path("error").path("data").path("superseded").asText()).isEqualTo("upstream_changed");
        assertThat(reply.json().path("error").path("data").path("route").asText()).isEqualTo("raw");
    }

    @Test
    void aHeldCallWhoseRouteWasRemovedIsRefusedSayingSo() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        config(null);
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(plain.received()).isEmpty();
        assertThat(reply.reason()).isEqualTo("approval_superseded");
        assertThat(reply.json().path("error").path("data").path("superseded").asText()).isEqualTo("route_removed");
        assertThat(reply.json().path("error").path("data").has("rule")).isFalse();
    }

    @Test
    void anApprovedCallStandsAfterAReloadThatChangesSomethingElse() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), APPROVE + """
                  - name: no-sub
                    condition: {tool: sub}
                    action: deny
                """);
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(reply.json().path("error").isMissingNode()).as("forwarded: %s", reply.json()).isTrue();
        assertThat(plain.received()).hasSize(1);
    }

    @Test
    void anApprovedCallStandsAfterAReloadThatNoLongerAsksAnApproval() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(reply.json().path("error").isMissingNode()).as("forwarded: %s", reply.json()).isTrue();
        assertThat(plain.received()).hasSize(1);
    }

    @Test
    void anApprovedCallIsNotRefusedByTheRateTokenItTookWhenHeld() throws Exception {
        String rated = """
                name: p
                defaults: {action: allow}
                rules:
                  - name: add-rate
                    condition: {all: [{tool: add}, {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1}}}]}
                    action: deny
                    message: one add an hour
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny}
                """;
        Files.writeString(dir.resolve("policies/p.yaml"), rated);
        gateway.swap(load());
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post("/raw", ADD));
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), rated + """
                  - name: no-sub
                    condition: {tool: sub}
                    action: deny
                """);
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(reply.json().path("error").isMissingNode()).as("the held call's one token was taken once: %s", reply.json()).isTrue();
        assertThat(plain.received()).hasSize(1);
        TestHttp.Reply next = post("/raw", ADD.replace("\"id\":1", "\"id\":2"));
        assertThat(next.json().path("error").path("data").path("rule").asText()).as("control: the bucket is empty now").isEqualTo("add-rate");
    }

    @Test
    void anApprovedA2aRestCallThePolicyServingNowDeniesGets403AndIsNotForwarded() throws Exception {
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/agents/echo/message:send").putHeader("Content-Type", "application/a2a+json")
                        .putHeader("Accept", "application/a2a+json"),
                        Buffer.buffer("{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"reset prod\"}]}}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String id = awaitPending();
        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_DENY);
        gateway.swap(load());
        approve(id);
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);

        assertThat(agent.received()).isEmpty();
        assertThat(reply.status()).isEqualTo(403);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("status").asText()).isEqualTo("PERMISSION_DENIED");
        JsonNode info = error.path("details").get(0);
        assertThat(info.path("reason").asText()).isEqualTo("APPROVAL_SUPERSEDED");
        assertThat(info.path("metadata").path("reason").asText()).isEqualTo("approval_superseded");
        assertThat(info.path("metadata").path("superseded").asText()).isEqualTo("policy_denies");
        assertThat(info.path("metadata").path("rule").asText()).isEqualTo("emergency-no-agents");
        assertThat(info.path("metadata").path("approval_id").asText()).isEqualTo(id);
    }

    private static final String ADD = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":1}}}";

    private GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    /** @param rawUpstream the upstream of route {@code raw}; null: no such route */
    private void config(String rawUpstream) throws Exception {
        String raw = rawUpstream == null ? "" : """
                  - {name: raw, path: /raw, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(rawUpstream);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                audit: {directory: %s}
                routes:
                  - {name: agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                %s""".formatted(TOKEN, dir.resolve("audit"), agent.url("/"), raw));
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

    private TestHttp.Reply post(String path, String body) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), path), Buffer.buffer(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String rejects() {
        return await().atMost(Duration.ofSeconds(5)).until(() -> admin(HttpMethod.GET, "/metrics", null).body().toString().lines()
                .filter(l -> l.startsWith("tollgate_rejects_total{reason=\"approval_superseded\"}"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("absent"), "1.0"::equals);
    }

    private JsonNode auditRecord() throws Exception {
        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        String line = await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file)
                ? Files.readAllLines(file).stream().filter(l -> l.contains("approval_superseded")).findFirst().orElse(null) : null, l -> l != null);
        return JSON.readTree(line);
    }
}
