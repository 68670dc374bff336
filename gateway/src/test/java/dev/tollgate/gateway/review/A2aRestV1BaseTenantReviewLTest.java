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
 * Review L, finding: A2aPaths.classify marks a call legacy (0.3) when ANY segment of the path is "v1"
 * ({@code s.contains("v1")}), and tenantCandidate returns null for a legacy call. An agent serving 1.0 HTTP+JSON under a
 * base with a v1 segment ({@code /api/v1/a2a/rest}, a common layout) reads {@code /api/v1/a2a/rest/prod/message:send}
 * as a 1.0 send in tenant prod (@a2a-js/sdk's 0.3 router only matches {@code /v1/message:send} right below the mount);
 * the gateway reads a 0.3 call with no path tenant, so today's path-tenant decision never runs, rest-base or not.
 */
class A2aRestV1BaseTenantReviewLTest {

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
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5", "EXTRA_REST_BASE", "/api/v1/a2a/rest"));
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
    void theAgentItselfRunsTheCallAs10InTenantProd() throws Exception {
        Reply sent = post(agent.url("/api/v1/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}");
        String taskId = sent.json().path("task").path("id").asText();

        assertThat(taskId).as(sent.json().toString()).isNotEmpty();
        assertThat(getTaskAtAgent(taskId, "prod").has("result")).isTrue();
    }

    @Test
    void throughTheGatewayTheProdPathTenantMustBeDenied() throws Exception {
        Reply reply = post(gateway.url("/agents/echo/api/v1/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}");

        // Fails today: refused invalid_params "send message.content" (read as 0.3 proto: a false refusal of SDK 1.0 traffic), never decided on the tenant.
        assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
        assertThat(reply.json().path("error").toString()).as(reply.json().toString()).contains("no-prod-tenant");
    }

    @Test
    void withTheRestBaseKnownTheProdPathTenantMustBeDenied() throws Exception {
        try (RunningGateway exact = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a, a2a: {rest-base: /api/v1/a2a/rest}}
                """.formatted(dir.resolve("policies"), agent.url("")))) {
            Reply reply = post(exact.url("/agents/echo/api/v1/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}");

            assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
            assertThat(reply.json().toString()).as(reply.json().toString()).contains("no-prod-tenant");
        }
    }

    /** A body both readings accept: 0.3 proto content (which the gateway reads) and no 1.0 parts. */
    private static final String BOTH = "{\"message\":{\"messageId\":\"m9\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"hi\"}]}}";

    @Test
    void aBodyBothReadingsAcceptIsDecidedWithoutTheProdTenant() throws Exception {
        Reply direct = post(agent.url("/api/v1/a2a/rest/prod/message:send"), "application/a2a+json", BOTH);
        Reply reply = post(gateway.url("/agents/echo/api/v1/a2a/rest/prod/message:send"), "application/a2a+json", BOTH);

        assertThat(direct.status()).as("direct: " + direct.json()).isEqualTo(200);
        // Fails today if the agent accepts it: forwarded, run in tenant prod.
        assertThat(reply.status()).as(reply.json().toString()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void readingAProdTaskByItsPathMustBeDenied() throws Exception {
        String taskId = post(agent.url("/a2a/rest/prod/message:send"), "application/a2a+json", "{\"message\":" + MESSAGE + "}")
                .json().path("task").path("id").asText();
        HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/api/v1/a2a/rest/prod/tasks/" + taskId)))
                .timeout(Duration.ofSeconds(20)).header("A2A-Version", "1.0").GET().build(), HttpResponse.BodyHandlers.ofString());

        // Fails today: 200 and prod's task, past the no-prod-tenant deny (GET /agents/echo/a2a/rest/prod/tasks/.. is denied).
        assertThat(read.statusCode()).as(read.body()).isGreaterThanOrEqualTo(400);
    }
}
