package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * "Why was this blocked" for a call the gateway refused on its tool's listed input schema: a value outside its enum, an
 * argument named two ways, or a default the tool fills (zod's {@code .default()}, here the official TypeScript SDK
 * server ts-defaults-server.mjs). {@code POST /explain} answered "allowed (default)" for each, since it read the call as
 * sent; given the tool's {@code inputSchema} as {@code tools/list} showed it, it decides as the live gateway did, and
 * without it, it still refuses a name the policy reads spelled otherwise and says what it did not evaluate.
 */
class ExplainListedToolTest {

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
    private static JsonNode listedSchema;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("ts-defaults-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
        listedSchema = call("tools/list", "{}").path("result").path("tools").get(0).path("inputSchema");
        assertThat(listedSchema.path("properties").path("mode").path("default").asText()).as(listedSchema.toString()).isEqualTo("DESTROY");
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

    private static JsonNode post(String url, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static JsonNode call(String method, String params) throws Exception {
        return post("http://127.0.0.1:" + gateway.port() + "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":"
                + params + "}", Map.of("Accept", "application/json, text/event-stream", "MCP-Protocol-Version", "2025-11-25"));
    }

    /** The live gateway's refusal of a wipe with these arguments: its reason and message. */
    private static JsonNode refusedLive(String arguments) throws Exception {
        JsonNode error = call("tools/call", "{\"name\":\"wipe\",\"arguments\":" + arguments + "}").path("error");
        assertThat(error.isMissingNode()).as("the live gateway refuses wipe " + arguments).isFalse();
        return error;
    }

    private static JsonNode explain(String arguments, boolean withSchema) throws Exception {
        ObjectNode input = JSON.createObjectNode().put("route", "upstream");
        input.set("call", JSON.readTree("{\"method\":\"tools/call\",\"tool\":\"wipe\",\"arguments\":" + arguments + "}"));
        if (withSchema) {
            input.set("input_schema", listedSchema);
        }
        return post("http://127.0.0.1:" + gateway.gateway().adminPort() + "/explain", input.toString(), Map.of());
    }

    @Test
    void aCallLeavingOutADefaultIsExplainedAsTheToolFillsIt() throws Exception {
        assertThat(refusedLive("{\"volume\":\"v1\"}").path("message").asText()).contains("No destroying wipes.");
        JsonNode why = explain("{\"volume\":\"v1\"}", true);
        assertThat(why.path("action").asText()).as(why.toString()).isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo("no-destroy");
        assertThat(why.path("notes").toString()).contains("fills the defaults");
    }

    @Test
    void withoutTheSchemaTheSameCallIsAllowedAndTheNoteSaysWhatWasNotEvaluated() throws Exception {
        JsonNode why = explain("{\"volume\":\"v1\"}", false);
        assertThat(why.path("action").asText()).as(why.toString()).isEqualTo("allow");
        assertThat(why.path("notes").toString()).contains("input_schema");
    }

    @Test
    void aValueOutsideTheDeclaredEnumIsExplainedAsTheGatewayRefusedIt() throws Exception {
        JsonNode live = refusedLive("{\"volume\":\"v2\",\"mode\":1}");
        JsonNode why = explain("{\"volume\":\"v2\",\"mode\":1}", true);
        assertThat(why.path("action").asText()).as(why.toString()).isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo(live.path("data").path("reason").asText()).isEqualTo("argument_outside_declared_enum");
    }

    @Test
    void anArgumentNamedTwoWaysIsExplainedAsRefusedEvenWithoutTheSchema() throws Exception {
        JsonNode live = refusedLive("{\"volume\":\"v3\",\"mode\":\"SAFE\",\"MODE\":\"DESTROY\"}");
        assertThat(live.path("data").path("reason").asText()).isEqualTo("ambiguous_argument_name");
        for (boolean withSchema : new boolean[] {true, false}) {
            JsonNode why = explain("{\"volume\":\"v3\",\"mode\":\"SAFE\",\"MODE\":\"DESTROY\"}", withSchema);
            assertThat(why.path("action").asText()).as(why.toString()).isEqualTo("deny");
            assertThat(why.path("rule").asText()).isEqualTo("ambiguous_argument_name");
        }
    }

    @Test
    void argumentsSentAsJsonTextAreExplainedAsFastMcpParsesThem() throws Exception {
        String arguments = "{\"volume\":\"v4\",\"mode\":\"SAFE\",\"options\":\"{\\\"scope\\\":\\\"all\\\"}\"}";
        assertThat(refusedLive(arguments).path("message").asText()).contains("Name the scope of a wipe.");
        for (boolean withSchema : new boolean[] {true, false}) {
            JsonNode why = explain(arguments, withSchema);
            assertThat(why.path("action").asText()).as(why.toString()).isEqualTo("deny");
            assertThat(why.path("rule").asText()).isEqualTo("no-wide-wipes");
            assertThat(why.path("notes").toString()).contains("FastMCP");
        }
    }

    @Test
    void anInputSchemaThatIsNoObjectIsABadRequest() throws Exception {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminPort() + "/explain"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"route\":\"upstream\",\"call\":{\"tool\":\"wipe\",\"arguments\":{}},\"input_schema\":\"mode\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(reply.body()).contains("input_schema");
    }
}
