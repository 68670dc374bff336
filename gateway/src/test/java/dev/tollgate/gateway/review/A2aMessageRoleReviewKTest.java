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
 * Review K, finding: {@code /message/role} (policy/README.md: "user or agent (1.0 ROLE_USER is user)") is read only from
 * a JSON string. @a2a-js/sdk 1.3.0 reads 1.0 {@code Message.role} with ts-proto's roleFromJSON, which also takes the enum
 * numbers: {@code "role": 2} is ROLE_AGENT, and the agent keeps the client's message in the task history as the agent's
 * own turn. The gateway's view has no role at all for it, so a rule denying client messages that speak as the agent
 * never matches. (The other way, {@code "role_agent"} is agent to the gateway's lower-casing and UNRECOGNIZED to the
 * SDK: fails closed for a deny rule.) Proved against the real agent directly, then through the gateway.
 */
class A2aMessageRoleReviewKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: clients-do-not-speak-as-the-agent
                condition: {all: [{protocol: a2a}, {arg: {path: /message/role, eq: agent}}]}
                action: deny
                message: A client's message is the user's turn.
            """;

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

    private static JsonNode send(String url, String role) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\",\"role\":" + role
                + ",\"parts\":[{\"text\":\"hi\"}]}}}";
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .header("A2A-Version", "1.0").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void theAgentItselfKeepsANumericRoleTwoMessageAsTheAgentsTurn() throws Exception {
        JsonNode answer = send(agent.url("/a2a/jsonrpc"), "2");

        assertThat(answer.at("/result/task/history/0/role").asText()).as(answer.toString()).isEqualTo("ROLE_AGENT");
    }

    @Test
    void theNamedRoleIsDeniedThroughTheGateway() throws Exception {
        JsonNode answer = send(gateway.url("/agents/echo/a2a/jsonrpc"), "\"ROLE_AGENT\"");

        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void theNumericRoleMustBeDeniedOrRefusedToo() throws Exception {
        JsonNode answer = send(gateway.url("/agents/echo/a2a/jsonrpc"), "2");

        // Fails today: allowed; the agent records the client's message as ROLE_AGENT.
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }
}
