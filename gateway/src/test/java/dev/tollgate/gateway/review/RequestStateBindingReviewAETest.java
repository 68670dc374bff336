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
 * Review AE (MCP 2026-07-28, SDK v2 server): {@code params.requestState} of a multi-round-trip retry is forwarded
 * unread and unbound to the caller it was relayed to. The 2026 revision lets a stateless server keep a call's state in
 * the {@code input_required} answer's {@code requestState}, which the client sends back unchanged on the retry; the
 * TypeScript SDK v2 server hands it to the tool ({@code ctx.mcpReq.requestState()}). The spec makes its integrity the
 * server's job, and the SDK's codec (createRequestStateCodec) signs it and binds it to the caller the server sees. Behind
 * Tollgate every caller is the same one to the server (the AXID is stripped by default, OAuth tokens never pass), so:
 * <ul>
 *   <li>a server doing everything right ({@code /signed/mcp}, statement: HMAC-signed, bound to its caller; directly, it
 *   refuses globex's replay of acme's state) serves globex acme's round trip through the gateway: only the gateway can
 *   tell the callers apart, and it binds tasks and list cursors to them but not requestState;</li>
 *   <li>a server that trusts its state ({@code /mcp}, transfer) acts on a reading policy never saw: the retry is decided on
 *   {@code arguments.to = bob} while the money goes where a forged state says (mallory, which policy denies).</li>
 * </ul>
 * Once fixed (the gateway seals each requestState it relays in an input_required answer to the caller and the call it
 * answers, as it seals tasks/list cursors, and refuses a request whose requestState it did not seal for that caller and
 * call, handing the upstream its own state back), the replayed and forged retries are refused before the upstream and
 * the honest retry still completes.
 */
class RequestStateBindingReviewAETest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-mallory
                condition:
                  all:
                    - tool: transfer
                    - arg: {path: /to, eq: mallory}
                action: deny
                message: No transfers to mallory.
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
        server = NodeServer.start("ts2-state-server.mjs", Map.of());
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: naive, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                  - {name: signed, path: /signed/mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(policies, tokens.identityYaml().strip(), server.url("/mcp"), server.url("/signed/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void directlyTheServerMovesTheMoneyWhereTheStateSays() throws Exception {
        JsonNode answer = transfer(server.url("/mcp"), null, 1, "bob", "{\"to\":\"mallory\",\"ticket\":\"forged\"}");

        assertThat(answer.at("/result/content/0/text").asText()).as(answer.toString()).isEqualTo("transferred to mallory");
    }

    @Test
    void policyDeniesATransferToMalloryNamedInItsArguments() throws Exception {
        int mark = server.markAfterPosting("/marker");

        JsonNode answer = transfer(gatewayUrl(), tokens.token("acme", "planner"), 1, "mallory", null);

        assertThat(answer.at("/error/data/rule").asText()).as(answer.toString()).isEqualTo("no-mallory");
        assertThat(server.printedSince(mark, "/marker")).doesNotContain("EXECUTED");
    }

    @Test
    void aRequestStateTheGatewayNeverRelayedIsNotForwarded() throws Exception {
        int mark = server.markAfterPosting("/marker");

        JsonNode answer = transfer(gatewayUrl(), tokens.token("acme", "planner"), 2, "bob", "{\"to\":\"mallory\",\"ticket\":\"forged\"}");

        assertThat(server.printedSince(mark, "/marker")).as("the upstream moved the money where policy said no: " + answer)
                .doesNotContain("TRANSFERRED");
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void directlyASigningServerRefusesAnotherCallersReplay() throws Exception {
        JsonNode first = call(server.url("/signed/mcp"), Map.of("Authorization", "Bearer acme"), 20, "statement", null, null);
        String state = first.at("/result/requestState").asText();

        JsonNode replayed = call(server.url("/signed/mcp"), Map.of("Authorization", "Bearer globex"), 21, "statement", null, state);
        JsonNode own = call(server.url("/signed/mcp"), Map.of("Authorization", "Bearer acme"), 22, "statement", null, state);

        assertThat(replayed.at("/error/data/reason").asText()).as(replayed.toString()).isEqualTo("invalid_request_state");
        assertThat(own.at("/result/content/0/text").asText()).as(own.toString()).startsWith("statement s-");
    }

    @Test
    void throughTheGatewayAnotherCallersStateIsNotForwardedButItsOwnRetryCompletes() throws Exception {
        Map<String, String> acme = Map.of("X-Waxell-AXID", tokens.token("acme", "planner"));
        Map<String, String> globex = Map.of("X-Waxell-AXID", tokens.token("globex", "planner"));
        int before = server.markAfterPosting("/marker");
        JsonNode first = call(gatewayUrl("/signed/mcp"), acme, 10, "statement", null, null);
        assertThat(first.at("/result/resultType").asText()).as(first.toString()).isEqualTo("input_required");
        // As relayed to acme (a fix may seal it to its caller, as tasks/list cursors are): sent back verbatim.
        String state = first.at("/result/requestState").asText();
        String printed = server.printedSince(before, "/marker");
        java.util.regex.Matcher minted = java.util.regex.Pattern.compile("MINTED \\{\"ticket\":\"([^\"]+)\"").matcher(printed);
        assertThat(minted.find()).as(printed).isTrue();
        String ticket = minted.group(1);

        int mark = server.markAfterPosting("/marker");
        JsonNode replayed = call(gatewayUrl("/signed/mcp"), globex, 11, "statement", null, state);

        // The server binds its state to the caller it sees; the gateway strips each caller's credential (forward: strip),
        // so every caller is the same one to it, and only the gateway can tell acme's state from globex's.
        assertThat(server.printedSince(mark, "/marker")).as("globex was served acme's statement: " + replayed)
                .doesNotContain("RESUMED {\"ticket\":\"" + ticket + "\"}");
        assertThat(replayed.has("error")).as(replayed.toString()).isTrue();

        JsonNode own = call(gatewayUrl("/signed/mcp"), acme, 12, "statement", null, state);
        assertThat(own.at("/result/content/0/text").asText()).as("the caller the state was relayed to retries as usual: " + own)
                .isEqualTo("statement " + ticket);
    }

    private String gatewayUrl() {
        return gatewayUrl("/mcp");
    }

    private String gatewayUrl(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    /** A 2026-07-28 tools/call of transfer, as the SDK v2 client sends it (a retry when requestState is given). */
    private static JsonNode transfer(String url, String axid, int id, String to, String requestState) throws Exception {
        return call(url, axid == null ? Map.of() : Map.of("X-Waxell-AXID", axid), id, "transfer", to, requestState);
    }

    private static JsonNode call(String url, Map<String, String> credentials, int id, String tool, String to, String requestState)
            throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", tool);
        ObjectNode arguments = params.putObject("arguments");
        if (to != null) {
            arguments.put("to", to);
        }
        if (requestState != null) {
            params.put("requestState", requestState);
        }
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-ae").put("version", "1");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        credentials.forEach(request::header);
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
