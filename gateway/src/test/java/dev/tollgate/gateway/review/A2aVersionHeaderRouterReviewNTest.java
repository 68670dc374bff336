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
 * Review N: @a2a-js/sdk 1.3.0's HTTP+JSON handler picks its router by the {@code A2A-Version} header, not by the path:
 * the 0.3 router (server/express/index.js legacyRestRouter, {@code isLegacyVersion(req.header("A2A-Version") || "0.3")})
 * passes a 1.0 request on ({@code next("router")}) to the 1.0 router, where {@code /v1/message:send} matches
 * {@code /:tenant/message:send}: a 1.0 call in tenant {@code v1}, the path tenant overwriting the body's
 * (tenantMiddleware). The gateway reads {@code /v1/message:send} by its path alone (A2aPaths: an operation right below
 * {@code /v1} is 0.3), so its policy view has {@code /version} 0.3 and the body's {@code /tenant}: a rule keeping sends
 * in tenant {@code sandbox} passes a call the agent runs in tenant {@code v1}.
 */
class A2aVersionHeaderRouterReviewNTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: sends-stay-in-sandbox
                condition: {all: [{protocol: a2a}, {method: [SendMessage, SendStreamingMessage]}, {arg: {path: /tenant, ne: sandbox}}]}
                action: deny
                message: Agents send in the sandbox tenant only.
            """;
    /** A body both routers accept: 0.3 proto {@code content} (the gateway refuses {@code parts} on a 0.3 REST path), a tenant. */
    private static final String BODY = "{\"tenant\":\"sandbox\",\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"hi\"}]}}";

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("a2a.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir.resolve("policies"), agent.url("")));
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

    private static HttpResponse<String> send(String method, String url, String version, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).header("A2A-Version", version);
        request = body == null ? request.GET() : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String taskId(HttpResponse<String> sent) throws Exception {
        JsonNode json = JSON.readTree(sent.body());
        return json.at("/task/id").asText(json.at("/id").asText());
    }

    @Test
    void theAgentItselfRunsAV1PathSentWithVersion10InTenantV1() throws Exception {
        HttpResponse<String> sent = send("POST", agent.url("/a2a/rest/v1/message:send"), "1.0", BODY);
        String task = taskId(sent);

        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(send("GET", agent.url("/a2a/rest/v1/tasks/" + task), "1.0", null).statusCode()).as("found in tenant v1").isEqualTo(200);
        assertThat(send("GET", agent.url("/a2a/rest/sandbox/tasks/" + task), "1.0", null).statusCode()).as("not in sandbox").isEqualTo(404);
    }

    @Test
    void aV1PathSentWithVersion10IsDecidedInTheTenantTheAgentActsIn() throws Exception {
        HttpResponse<String> sent = send("POST", gateway.url("/agents/echo/a2a/rest/v1/message:send"), "1.0", BODY);
        String task = sent.statusCode() == 200 ? taskId(sent) : "";
        int inV1 = task.isEmpty() ? 404 : send("GET", agent.url("/a2a/rest/v1/tasks/" + task), "1.0", null).statusCode();

        // Fails today: decided as a 0.3 send in the body's tenant sandbox (allowed); the agent ran it in tenant v1.
        assertThat(inV1).as("the agent holds the task in tenant v1; the gateway answered " + sent.statusCode() + " " + sent.body())
                .isEqualTo(404);
    }
}
