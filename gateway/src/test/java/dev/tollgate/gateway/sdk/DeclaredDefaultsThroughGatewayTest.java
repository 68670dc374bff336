package dev.tollgate.gateway.sdk;

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
 * A tool's listed input schema may give an argument a default ({@code mode: {enum: [SAFE, DESTROY], default: DESTROY}}),
 * and the binders MCP servers are written with fill it in: the official TypeScript SDK parses arguments with zod, whose
 * {@code .default()} supplies the value of a member the call leaves out (Pydantic does the same for FastMCP). A rule
 * denying {@code mode: DESTROY} never saw a call that names no mode, and the tool destroyed. The gateway decides such a
 * call on its arguments as sent and as the server fills them, the stronger refusal deciding; the bytes forwarded are the
 * client's. Against the real TypeScript SDK server (ts-defaults-server.mjs).
 */
class DeclaredDefaultsThroughGatewayTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{tool: wipe}, {arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
              - name: no-wide-wipes
                condition: {all: [{tool: wipe}, {arg: {path: /options/scope, eq: all}}]}
                action: deny
                message: Name the scope of a wipe.
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
        server = NodeServer.start("ts-defaults-server.mjs", Map.of());
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

    private static JsonNode wipe(int port, String arguments) throws Exception {
        return post(port, "tools/call", "{\"name\":\"wipe\",\"arguments\":" + arguments + "}");
    }

    /** What the tool ran with, for each call made by {@code calls}. */
    private static String executedDuring(ThrowingRunnable calls) throws Exception {
        int mark = server.markAfterPosting("/mark");
        calls.run();
        return server.printedSince(mark, "/mark").lines().filter(l -> l.startsWith("EXECUTED")).reduce("", (a, b) -> a + b + "\n");
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void assertDenied(JsonNode reply, String message) {
        assertThat(reply.path("error").path("data").path("reason").asText()).as(reply.toString()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(reply.path("error").path("message").asText()).contains(message);
    }

    @Test
    void directTheToolDestroysOnACallNamingNoMode() throws Exception {
        String ran = executedDuring(() -> wipe(server.port(), "{\"volume\":\"v1\"}"));
        assertThat(ran).as("the attack is real: zod fills mode with its default").contains("\"mode\":\"DESTROY\"");
    }

    @Test
    void throughTheGatewayACallLeavingOutADefaultIsDecidedAsTheServerFillsIt() throws Exception {
        String ran = executedDuring(() -> {
            assertThat(post(gateway.port(), "tools/list", "{}").path("result").path("tools")).hasSize(1);
            assertDenied(wipe(gateway.port(), "{\"volume\":\"v1\"}"), "No destroying wipes.");
            assertDenied(wipe(gateway.port(), "{\"volume\":\"v2\",\"mode\":\"SAFE\",\"options\":{}}"), "Name the scope of a wipe.");
            assertThat(wipe(gateway.port(), "{\"volume\":\"v3\",\"mode\":\"SAFE\",\"options\":{\"scope\":\"tmp\"}}").path("result")
                    .path("content").get(0).path("text").asText()).isEqualTo("wiped v3 SAFE");
        });
        assertThat(ran).as("only the call naming its mode and scope ran, with the arguments the client sent")
                .doesNotContain("\"v1\"").doesNotContain("\"v2\"")
                .contains("{\"volume\":\"v3\",\"mode\":\"SAFE\",\"options\":{\"force\":true,\"scope\":\"tmp\"}}");
    }

    /**
     * A client that kept its tools list calls a gateway that never saw it (a restart, another replica): the gateway lists
     * the tools itself before deciding (fix AY), a call naming no argument at all too, since the tool fills defaults.
     */
    @Test
    void aGatewayThatNeverSawTheListListsItBeforeDecidingACallLeavingOutADefault() throws Exception {
        RunningGateway fresh = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
        try {
            String ran = executedDuring(() -> {
                // First a call naming no argument: the list it waits for is the first this gateway makes.
                assertDenied(post(fresh.port(), "tools/call", "{\"name\":\"wipe\"}"), "No destroying wipes.");
                assertDenied(wipe(fresh.port(), "{\"volume\":\"v4\"}"), "No destroying wipes.");
            });
            assertThat(ran).as("neither call ran").isEmpty();
        } finally {
            fresh.close();
        }
    }
}
