package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review L, finding (same root cause as ListenApprovalMasksDenyReviewLTest): decideA2a decides a REST call under the body
 * tenant and under the path's candidate tenant and keeps the "stronger" via refusesMore, which never replaces an enforced
 * APPROVE. A body tenant that an approve rule matches hides the path tenant's hard deny: approved (here on timeout),
 * the call runs in tenant prod.
 */
class A2aPathTenantApprovalMasksDenyReviewLTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-prod-tenant
                priority: 10
                condition: {all: [{protocol: a2a}, {arg: {path: /tenant, eq: prod}}]}
                action: deny
                message: Agents do not act in the prod tenant.
              - name: approve-sandbox
                condition: {all: [{protocol: a2a}, {arg: {path: /tenant, eq: sandbox}}]}
                action: approve
                message: sandbox sends get a nod
                approval: {timeout: 1s, on-timeout: allow, approvers: [ops]}
            """;
    private static final String MESSAGE = "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}";

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("a2a.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                approvals:
                  webhook: {url: "%s", secret: s3cret}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(policies, agent.url("/hook"), agent.url("")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private record Reply(int status, JsonNode json) {
    }

    private static Reply post(String url, String contentType, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType).header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()));
    }

    /** JSON-RPC GetTask straight at the agent, in the given tenant (null: the default one). */
    private static JsonNode getTaskAtAgent(String taskId, String tenant) throws Exception {
        String params = "{\"id\":\"" + taskId + "\"" + (tenant == null ? "" : ",\"tenant\":\"" + tenant + "\"") + "}";
        return post(agent.url("/a2a/jsonrpc"), "application/json",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":" + params + "}").json();
    }

    @Test
    void aPathTenantDenyIsNotMaskedByTheBodyTenantsApproval() throws Exception {
        Reply reply = post(gateway.url("/agents/echo/a2a/rest/prod/message:send"), "application/a2a+json",
                "{\"tenant\":\"sandbox\",\"message\":" + MESSAGE + "}");

        // Fails today: decided approve-sandbox, allowed on timeout, the task kept in tenant prod.
        assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
        String taskId = reply.json().path("task").path("id").asText();
        assertThat(taskId.isEmpty() || !getTaskAtAgent(taskId, "prod").has("result")).as("task kept in tenant prod").isTrue();
    }
}
