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
 * unread and unbound. The 2026 revision lets a stateless server keep a call's state in the {@code input_required}
 * answer's {@code requestState}, which the client must send back unchanged on the retry; the TypeScript SDK v2 server
 * hands it to the tool as {@code ctx.mcpReq.requestState()} and leaves its integrity to the server (its HMAC codec is
 * opt-in, and any binding it offers is to the caller the server sees, which behind the gateway is the gateway).
 * Policy decides the retry on its {@code arguments}; the tool acts on the state. So a caller can send a state the
 * gateway never relayed (forged), or one the gateway relayed to another caller (replayed), and the upstream acts on a
 * reading policy never saw: here {@code transfer{to: bob}} decided allowed while the server moves the money to the
 * destination a forged state names (mallory, which policy denies), and globex completes acme's round trip.
 *
 * <p>Once fixed (the gateway remembers each requestState it relays in an input_required answer, keyed by route,
 * caller and the call it answers, and refuses a request carrying one it did not relay to that caller for that call),
 * the forged and the replayed retries are refused before the upstream, and the honest retry still completes.
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
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(server.url("/mcp"), policies, "p", tokens.identityYaml()));
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
        int mark = server.output().length();

        JsonNode answer = transfer(gatewayUrl(), tokens.token("acme", "planner"), 1, "mallory", null);

        assertThat(answer.at("/error/data/rule").asText()).as(answer.toString()).isEqualTo("no-mallory");
        assertThat(server.output().substring(mark)).doesNotContain("EXECUTED");
    }

    @Test
    void aRequestStateTheGatewayNeverRelayedIsNotForwarded() throws Exception {
        int mark = server.output().length();

        JsonNode answer = transfer(gatewayUrl(), tokens.token("acme", "planner"), 2, "bob", "{\"to\":\"mallory\",\"ticket\":\"forged\"}");

        assertThat(server.output().substring(mark)).as("the upstream moved the money where policy said no: " + answer)
                .doesNotContain("TRANSFERRED");
        assertThat(answer.has("error")).as(answer.toString()).isTrue();
    }

    @Test
    void anotherCallersRequestStateIsNotForwardedButItsOwnRetryCompletes() throws Exception {
        String acme = tokens.token("acme", "planner");
        String globex = tokens.token("globex", "planner");
        int before = server.output().length();
        JsonNode first = transfer(gatewayUrl(), acme, 10, "bob", null);
        assertThat(first.at("/result/resultType").asText()).as(first.toString()).isEqualTo("input_required");
        // As relayed to acme (a fix may seal it to its caller, as tasks/list cursors are): sent back verbatim.
        String state = first.at("/result/requestState").asText();
        java.util.regex.Matcher minted = java.util.regex.Pattern.compile("MINTED \\{\"ticket\":\"([^\"]+)\"").matcher(server.output().substring(before));
        assertThat(minted.find()).as(server.output().substring(before)).isTrue();
        String ticket = minted.group(1);

        int mark = server.output().length();
        JsonNode replayed = transfer(gatewayUrl(), globex, 11, "bob", state);

        assertThat(server.output().substring(mark)).as("globex completed acme's round trip: " + replayed).doesNotContain(ticket);
        assertThat(replayed.has("error")).as(replayed.toString()).isTrue();

        JsonNode own = transfer(gatewayUrl(), acme, 12, "bob", state);
        assertThat(own.at("/result/content/0/text").asText()).as("the caller the state was relayed to retries as usual: " + own)
                .isEqualTo("transferred to bob");
        assertThat(server.output()).contains("TRANSFERRED {\"to\":\"bob\",\"ticket\":\"" + ticket + "\"}");
    }

    private String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/mcp";
    }

    /** A 2026-07-28 tools/call of transfer, as the SDK v2 client sends it (a retry when requestState is given). */
    private static JsonNode transfer(String url, String axid, int id, String to, String requestState) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", "transfer");
        params.putObject("arguments").put("to", to);
        if (requestState != null) {
            params.put("requestState", requestState);
        }
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-ae").put("version", "1");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "transfer")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (axid != null) {
            request.header("X-Waxell-AXID", axid);
        }
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
