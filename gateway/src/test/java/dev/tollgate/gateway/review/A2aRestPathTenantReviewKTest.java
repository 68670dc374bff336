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
 * Review K, finding: on the HTTP+JSON binding the tenant is the path's {@code /{tenant}/...} segment. @a2a-js/sdk 1.3.0
 * routes {@code /:tenant/message:send} (and every other REST operation), makes the path tenant the call's tenant
 * ("Using path tenant as the canonical value": it overwrites the body's) and keeps tasks per tenant. The gateway's
 * {@code /tenant} (policy/README.md: "the 1.0 tenant") is read from the body only, so a rule on {@code /tenant} never
 * sees the tenant the agent acts in. Proved against the real agent directly, then through the gateway.
 */
class A2aRestPathTenantReviewKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-prod-tenant
                condition: {all: [{protocol: a2a}, {arg: {path: /tenant, eq: prod}}]}
                action: deny
                message: Agents do not act in the prod tenant.
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
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(policies, agent.url("")));
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
    void theAgentItselfRunsARestPathTenantCallInThatTenant() throws Exception {
        Reply sent = post(agent.url("/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}");
        String taskId = sent.json().path("task").path("id").asText();

        assertThat(taskId).as(sent.json().toString()).isNotEmpty();
        assertThat(getTaskAtAgent(taskId, "prod").has("result")).isTrue();
        assertThat(getTaskAtAgent(taskId, null).path("error").path("code").asInt()).isEqualTo(-32001);
    }

    @Test
    void theJsonRpcTenantIsDeniedThroughTheGateway() throws Exception {
        Reply reply = post(gateway.url("/agents/echo/a2a/jsonrpc"), "application/json",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"tenant\":\"prod\",\"message\":" + MESSAGE + "}}");

        assertThat(reply.json().has("error")).as(reply.json().toString()).isTrue();
    }

    @Test
    void theRestPathTenantMustBeDeniedToo() throws Exception {
        Reply reply = post(gateway.url("/agents/echo/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}");

        // Fails today: 200 and a task the agent keeps in tenant prod.
        assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void aBodyTenantMustNotHideThePathTenant() throws Exception {
        Reply reply = post(gateway.url("/agents/echo/a2a/rest/prod/message:send"), "application/a2a+json",
                "{\"tenant\":\"sandbox\",\"message\":" + MESSAGE + "}");

        // Fails today: policy read tenant sandbox, the agent overwrote it with the path's prod.
        assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
        String taskId = reply.json().path("task").path("id").asText();
        assertThat(taskId.isEmpty() || !getTaskAtAgent(taskId, "prod").has("result")).as("task kept in tenant prod").isTrue();
    }

    /**
     * With the route's {@code a2a.rest-base} the reading is exact: the segment after it is the tenant the agent acts in
     * (it overwrites the body's), so a body naming prod on a sandbox path is allowed and the task is kept in sandbox,
     * while the prod path is denied whatever the body says.
     */
    @Test
    void withTheRestBaseKnownThePathTenantIsReadExactly() throws Exception {
        try (RunningGateway exact = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a, a2a: {rest-base: /a2a/rest}}
                """.formatted(dir.resolve("policies"), agent.url("")))) {
            Reply sandbox = post(exact.url("/agents/echo/a2a/rest/sandbox/message:send"), "application/a2a+json",
                    "{\"tenant\":\"prod\",\"message\":" + MESSAGE + "}");
            Reply prod = post(exact.url("/agents/echo/a2a/rest/prod/message:send"), "application/a2a+json",
                    "{\"tenant\":\"sandbox\",\"message\":" + MESSAGE + "}");

            assertThat(sandbox.status()).as(sandbox.json().toString()).isEqualTo(200);
            assertThat(getTaskAtAgent(sandbox.json().path("task").path("id").asText(), "sandbox").has("result")).isTrue();
            assertThat(prod.status()).as(prod.json().toString()).isGreaterThanOrEqualTo(400);
        }
    }
}
