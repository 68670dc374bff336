package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review CL (after ToolDefaults' rewrite): a member's own default is read only on its schema or along its {@code $ref}
 * chain ({@code ToolDefaults.Reader.defaultOf}). zod 4 writes {@code z.enum(..).default('DESTROY').nullable()} as
 * {@code {anyOf: [{default: DESTROY, enum: [..]}, {type: null}]}}, and zod still fills the left-out member with DESTROY
 * (review-cl-defaults-server.mjs, official TypeScript SDK). A rule denying {@code mode: DESTROY} is passed by a call that
 * leaves {@code mode} out, and the tool destroys.
 */
class NullableMemberDefaultReviewCLTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {arg: {path: /mode, eq: DESTROY}}
                action: deny
                message: No destroying wipes.
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("review-cl-defaults-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static JsonNode post(int port, String method, String params) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static String executedDuring(ThrowingSupplier<JsonNode> call, JsonNode[] reply) throws Exception {
        int mark = server.markAfterPosting("/mark");
        reply[0] = call.get();
        return server.printedSince(mark, "/mark").lines().filter(l -> l.startsWith("EXECUTED")).reduce("", (a, b) -> a + b + "\n");
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void aNullableMemberLeftOutThatZodFillsWithDestroyIsDecidedAsFilled() throws Exception {
        String params = "{\"name\":\"wipe\",\"arguments\":{\"volume\":\"v1\"}}";
        JsonNode[] reply = new JsonNode[1];
        String direct = executedDuring(() -> post(server.port(), "tools/call", params), reply);
        assertThat(direct).as("the attack is real: zod fills the left-out mode with DESTROY").contains("\"mode\":\"DESTROY\"");

        assertThat(post(gateway.port(), "tools/list", "{}").path("result").path("tools")).hasSize(1);
        String through = executedDuring(() -> post(gateway.port(), "tools/call", params), reply);
        assertThat(reply[0].path("error").path("data").path("reason").asText()).as(reply[0].toString())
                .isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(through).as("the denied call never ran").isEmpty();
    }

    @Test
    void controlACallNamingDestroyIsDenied() throws Exception {
        String params = "{\"name\":\"wipe\",\"arguments\":{\"volume\":\"v1\",\"mode\":\"DESTROY\"}}";
        post(gateway.port(), "tools/list", "{}");
        JsonNode[] reply = new JsonNode[1];
        String through = executedDuring(() -> post(gateway.port(), "tools/call", params), reply);
        assertThat(reply[0].path("error").path("data").path("reason").asText()).as(reply[0].toString())
                .isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(through).isEmpty();
    }
}
