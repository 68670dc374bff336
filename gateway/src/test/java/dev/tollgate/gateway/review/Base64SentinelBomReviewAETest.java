package dev.tollgate.gateway.review;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review AE (MCP 2026-07-28 routing headers): a {@code =?base64?...?=} value whose bytes start with a UTF-8 byte order
 * mark is read two ways. The gateway (McpRoutingHeaders.decode, a JDK UTF-8 decoder) keeps the BOM: {@code
 * =?base64?77u/ZWNobw==?=} is {@code "\uFEFFecho"}. The SDK v2 server (decodeMcpParamValue: atob, then
 * {@code new TextDecoder('utf-8', {fatal: true})}, whose default ignoreBOM=false strips a leading BOM) reads {@code "echo"},
 * as does any router built on the WHATWG TextDecoder. So a request whose body calls {@code "\uFEFFecho"} while its
 * Mcp-Name header reads {@code "echo"} to such a router passes the gateway's header check, which exists so that no
 * intermediary acting on the headers ever acts on another call than the one policy decided. Same for Mcp-Param-*
 * (ToolParamHeaders uses the same decoder). The SDK v2 server itself refuses both with -32020, which is how this test
 * sees the two readings: the gateway should refuse them first (header_mismatch, nothing forwarded).
 */
class Base64SentinelBomReviewAETest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BOM = "\uFEFF";

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-server.mjs", Map.of());
        gateway = RunningGateway.mcp(vertx, server.url("/mcp"), null, null);
        // The gateway learns deploy's x-mcp-header declaration (region -> Mcp-Param-Region) from a tools/list it relays.
        JsonNode listed = post(gatewayUrl(), "tools/list", null, JSON.createObjectNode(), Map.of());
        assertThat(listed.toString()).contains("x-mcp-header");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String sentinel(String value) {
        return "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    @Test
    void theSdkReadsTheSentinelWithoutItsBom() throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", BOM + "echo");
        params.putObject("arguments").put("message", "hi");

        JsonNode direct = post(server.url("/mcp"), "tools/call", sentinel(BOM + "echo"), params, Map.of());

        assertThat(direct.at("/error/code").asInt()).as(direct.toString()).isEqualTo(-32020);
        assertThat(direct.at("/error/message").asText()).contains("the Mcp-Name header names \"echo\"");
    }

    @Test
    void anMcpNameWhoseSentinelStartsWithABomIsRefusedByTheGateway() throws Exception {
        int mark = server.markAfterPosting("/marker");
        ObjectNode params = JSON.createObjectNode().put("name", BOM + "echo");
        params.putObject("arguments").put("message", "hi");

        JsonNode answer = post(gatewayUrl(), "tools/call", sentinel(BOM + "echo"), params, Map.of());

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("header_mismatch");
        assertThat(server.printedSince(mark, "/marker")).as("forwarded to the upstream").doesNotContain("RECEIVED");
    }

    @Test
    void anMcpParamWhoseSentinelStartsWithABomIsRefusedByTheGateway() throws Exception {
        int mark = server.markAfterPosting("/marker");
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("region", BOM + "eu");

        JsonNode answer = post(gatewayUrl(), "tools/call", "deploy", params, Map.of("Mcp-Param-Region", sentinel(BOM + "eu")));

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("header_mismatch");
        assertThat(server.printedSince(mark, "/marker")).as("forwarded to the upstream").doesNotContain("RECEIVED");
    }

    private static String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/mcp";
    }

    private static JsonNode post(String url, String method, String mcpName, ObjectNode params, Map<String, String> extra) throws Exception {
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-ae").put("version", "1");
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
        body.set("params", params);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json, text/event-stream");
        headers.put("MCP-Protocol-Version", "2026-07-28");
        headers.put("Mcp-Method", method);
        if (mcpName != null) {
            headers.put("Mcp-Name", mcpName);
        }
        headers.putAll(extra);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            for (String line : text.split("\n")) {
                if (line.startsWith("data:") && !line.substring(5).isBlank() && JSON.readTree(line.substring(5)).has("id")) {
                    return JSON.readTree(line.substring(5));
                }
            }
            throw new AssertionError("no response on the stream: " + text);
        }
        return JSON.readTree(text);
    }
}
