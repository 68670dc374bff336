package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 2026-07-28 {@code subscriptions/listen} names the resources whose updates it wants in
 * {@code notifications.resourceSubscriptions}, as {@code resources/subscribe} named one: against the official TypeScript
 * SDK v2 server, a listen naming a resource the policy denies is refused and never reaches it (directly, the server
 * acknowledges the subscription), one naming allowed resources opens its stream through the gateway.
 */
class ListenResourcesThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-server.mjs", Map.of());
        String policy = Files.readString(Path.of(ListenResourcesThroughGatewayTest.class.getResource("/attacks/policy.yaml").toURI()));
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), policy, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void directTheServerAcknowledgesAListenOnTheVault() throws Exception {
        JsonNode first = firstMessage(server.url("/mcp"), "[\"file:///public.txt\",\"file:///vault/keys\"]");

        assertThat(first.path("method").asText()).isEqualTo("notifications/subscriptions/acknowledged");
        assertThat(first.path("params").path("notifications").path("resourceSubscriptions").toString()).contains("file:///vault/keys");
    }

    @Test
    void throughTheGatewayAListenOnADeniedResourceIsRefusedAndNeverSent() throws Exception {
        int mark = server.output().length();

        JsonNode answer = firstMessage(gatewayUrl(), "[\"file:///public.txt\",\"file:///vault/keys\"]");

        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString()).isEqualTo("policy_denied");
        assertThat(answer.path("error").path("data").path("rule").asText()).isEqualTo("no-vault");
        assertThat(server.output().substring(mark)).doesNotContain("subscriptions/listen");
    }

    @Test
    void throughTheGatewayAListenOnADotSegmentFormOfTheVaultIsRefused() throws Exception {
        int mark = server.output().length();

        JsonNode answer = firstMessage(gatewayUrl(), "[\"file:///public/../vault/keys\"]");

        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString()).isEqualTo("non_canonical_uri");
        assertThat(server.output().substring(mark)).doesNotContain("subscriptions/listen");
    }

    @Test
    void throughTheGatewayAListenOnAllowedResourcesIsAcknowledged() throws Exception {
        JsonNode first = firstMessage(gatewayUrl(), "[\"file:///public.txt\"]");

        assertThat(first.path("method").asText()).as(first.toString()).isEqualTo("notifications/subscriptions/acknowledged");
        assertThat(first.path("params").path("notifications").path("resourceSubscriptions").toString()).isEqualTo("[\"file:///public.txt\"]");
    }

    private static String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/mcp";
    }

    /** The JSON answer, or the first message of the stream the listen opens (then the stream is left). */
    private static JsonNode firstMessage(String url, String resources) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\",\"params\":{\"notifications\":"
                + "{\"toolsListChanged\":true,\"resourceSubscriptions\":" + resources + "},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"listen-test\",\"version\":\"1\"}}}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "subscriptions/listen")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                return JSON.readTree(in);
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:") && !line.substring(5).isBlank()) {
                    return JSON.readTree(line.substring(5));
                }
            }
            throw new AssertionError("the stream ended without a message");
        }
    }
}
