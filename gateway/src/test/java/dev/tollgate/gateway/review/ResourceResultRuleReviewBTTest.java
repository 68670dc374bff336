package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BT: a result rule scoped to a resource ({@code {direction: result}, {resource: file:///reports/q3}, pii card},
 * redact) never applies to that resource's contents, nor one scoped with {@code method: resources/read}. The policy loads
 * without a word, and the card number reaches the caller.
 *
 * <p>Cause: McpResultRules describes every answer it decides as a tools/call result
 * ({@code CallDescription.mcpToolResult(route, tool, result)}: method {@code tools/call}, the tool of the call or none,
 * no resource, no prompt), whatever the call was; a {@code resources/read} answer's description has no uri, so a
 * {@code resource:} condition can never hold (and {@code method: tools/call} holds for it). The README says
 * {@code resources/read} contents and {@code prompts/get} messages are read by the result rules, with {@code tool:}
 * absent, and nothing says {@code resource:}, {@code prompt:} or {@code method:} are ignored there: an operator scoping a
 * redaction to the resource that holds card numbers gets none. Real peer: the TypeScript SDK v2 server
 * (ts2-bt-resume-server.mjs; a 2026-07-28 read, answered input_required once, then served on the honest retry).
 */
class ResourceResultRuleReviewBTTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CARD = "4111 1111 1111 1111";
    private static final String Q3 = "file:///reports/q3";
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-cards-from-q3
                condition: {all: [{direction: result}, {resource: "file:///reports/q3"}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: redact
            """;
    private static final String METHOD_POLICY = """
            name: m
            defaults: {action: allow}
            rules:
              - name: no-cards-from-resource-reads
                condition: {all: [{direction: result}, {method: resources/read}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: redact
            """;

    private static final String UNSCOPED_POLICY = """
            name: u
            defaults: {action: allow}
            rules:
              - name: no-cards-in-results
                condition: {all: [{direction: result}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: redact
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private TenantTokens tokens;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        Files.writeString(policies.resolve("m.yaml"), METHOD_POLICY);
        Files.writeString(policies.resolve("u.yaml"), UNSCOPED_POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: reports, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                  - {name: reports-m, path: /m/mcp, protocol: mcp, upstream: "%s", policy: m}
                  - {name: reports-u, path: /u/mcp, protocol: mcp, upstream: "%s", policy: u}
                """.formatted(policies, tokens.identityYaml().strip(), server.url("/mcp"), server.url("/mcp"), server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aResultRuleScopedToTheResourceRedactsItsContents() throws Exception {
        assertRedacted("/mcp");
    }

    @Test
    void aResultRuleScopedToResourcesReadRedactsItsContents() throws Exception {
        assertRedacted("/m/mcp");
    }

    @Test
    void controlAnUnscopedResultRuleRedactsTheSameContents() throws Exception {
        assertRedacted("/u/mcp");
    }

    private void assertRedacted(String path) throws Exception {
        String axid = tokens.token("acme", "planner");
        JsonNode first = read(path, axid, 1, null);
        assertThat(first.at("/result/resultType").asText()).as(first.toString()).isEqualTo("input_required");

        JsonNode retry = read(path, axid, 2, first.at("/result/requestState").asText());

        assertThat(retry.at("/result/contents/0/text").asText()).as("served: " + retry).startsWith("q3 payroll");
        assertThat(retry.toString()).as("the card the rule redacts reached the caller").doesNotContain(CARD);
    }

    /** A 2026-07-28 resources/read of q3 as the SDK v2 client sends it (its retry when requestState is given). */
    private JsonNode read(String path, String axid, int id, String requestState) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "resources/read");
        ObjectNode params = body.putObject("params").put("uri", Q3);
        if (requestState != null) {
            params.put("requestState", requestState);
            params.putObject("inputResponses");
        }
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-bt").put("version", "1");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "resources/read").header("Mcp-Name", Q3)
                .header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
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
