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
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review CJ (low: a false refusal, and a recorded reading the tool never had): {@code ToolDefaults} fills the members
 * of a filled object default too ("zod parses a default like a given value"). That is zod 3; the TypeScript SDK here
 * runs zod 4, whose {@code .default(x)} returns {@code x} as it is, unparsed ({@code .prefault(x)} parses). The wipe
 * tool of ts-defaults-server.mjs declares {@code options: z.object({force: .default(true), scope: .default('all')})
 * .default({})}: a call naming no options runs with {@code options: {}}, no scope. The gateway decides it as
 * {@code options: {force: true, scope: "all"}}, so the rule denying {@code /options/scope eq all} refuses a call the tool
 * reads with no scope, and that reading is the one recorded.
 */
class DefaultObjectNotParsedReviewCJTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-wide-wipes
                condition: {all: [{tool: wipe}, {arg: {path: /options/scope, eq: all}}]}
                action: deny
                message: Name the scope of a wipe.
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"name\":\"wipe\",\"arguments\":{\"volume\":\"v9\",\"mode\":\"SAFE\"}}";

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

    @Test
    void aCallTheToolRunsWithNoScopeIsNotRefusedForTheScopeOfAnUnparsedDefault() throws Exception {
        int mark = server.markAfterPosting("/mark");
        post(server.port(), "tools/call", CALL);
        String direct = server.printedSince(mark, "/mark");
        assertThat(direct).as("zod 4 hands the default object over unparsed: no scope")
                .contains("\"options\":{}").doesNotContain("\"scope\"");

        assertThat(post(gateway.port(), "tools/list", "{}").path("result").path("tools")).hasSize(1);
        JsonNode reply = post(gateway.port(), "tools/call", CALL);
        assertThat(reply.path("error").isMissingNode()).as(reply.toString()).isTrue();
        assertThat(reply.path("result").path("content").get(0).path("text").asText()).isEqualTo("wiped v9 SAFE");
    }
}
