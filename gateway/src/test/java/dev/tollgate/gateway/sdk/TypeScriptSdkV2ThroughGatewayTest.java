package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MCP revision 2026-07-28 end to end with the official TypeScript SDK v2 client and server (2.4.0): the
 * client negotiates the stateless revision through the gateway, allowed calls pass unchanged, and the
 * server's input_required results (sampling, URL elicitation, roots), which replace server-to-client
 * requests in this revision, meet the same policy: a denied one never reaches the client's handlers, so the
 * retry that would complete the exchange is never sent. A {@code subscriptions/listen} is held to the {@code resource:}
 * rules for each resource it names.
 */
class TypeScriptSdkV2ThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long CLIENT_TIMEOUT_SECONDS = 60;
    private static final String[] SPECS = {"list", "call:echo", "call:deploy", "call:ask-model", "call:ask-user-url", "call:list-roots"};

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-server.mjs", Map.of());
        String policy = Files.readString(Path.of(TypeScriptSdkV2ThroughGatewayTest.class.getResource("/attacks/policy.yaml").toURI()));
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), policy, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void directTheClientAnswersEveryInputRequest() throws Exception {
        Map<String, JsonNode> direct = run(server.url("/mcp"), "auto");

        assertThat(direct.get("connected").path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(direct.get("call:ask-model").path("handled")).extracting(JsonNode::asText).containsExactly("sampling");
        assertThat(direct.get("call:ask-user-url").path("handled")).extracting(JsonNode::asText).containsExactly("elicitation");
        assertThat(direct.get("call:list-roots").path("handled")).extracting(JsonNode::asText).containsExactly("roots");
    }

    @Test
    void throughTheGatewayDeniedInputRequestsNeverReachTheClient() throws Exception {
        int mark = markPrinted();

        Map<String, JsonNode> seen = run("http://localhost:" + gateway.port() + "/mcp", "auto");

        assertThat(seen.get("connected").path("protocolVersion").asText()).as("the stateless revision is negotiated through the gateway").isEqualTo("2026-07-28");
        assertThat(seen.get("list").path("detail")).extracting(JsonNode::asText).as("get-env is denied, so not listed")
                .containsExactly("ask-model", "ask-user-url", "deploy", "echo", "list-roots");
        assertThat(seen.get("call:echo").path("outcome").asText()).isEqualTo("result");
        assertThat(seen.get("call:echo").path("detail").asText()).isEqualTo("hi");
        assertThat(seen.get("call:deploy").path("detail").asText()).as("its Mcp-Param-Region header agrees with the argument")
                .isEqualTo("deployed to eu");
        for (String[] denied : new String[][] {{"call:ask-model", "no-sampling"}, {"call:ask-user-url", "no-url-elicitation"}, {"call:list-roots", "no-roots"}}) {
            JsonNode result = seen.get(denied[0]);
            assertThat(result.path("handled")).as(denied[0] + " handlers").isEmpty();
            assertThat(result.path("outcome").asText()).as(denied[0]).isEqualTo("error");
            assertThat(result.path("detail").asText()).as(denied[0]).contains(denied[1]);
        }
        List<JsonNode> executed = executedSince(mark);
        assertThat(executed).extracting(e -> e.path("tool").asText())
                .as("each tool ran once; no retry carried inputResponses").containsExactly("echo", "deploy", "ask-model", "ask-user-url", "list-roots");
        assertThat(executed).allSatisfy(e -> assertThat(e.path("inputResponses").isNull()).isTrue());
    }

    @Test
    void theSdksDefaultNegotiationStillSpeaks2025ThroughTheGateway() throws Exception {
        Map<String, JsonNode> seen = run("http://localhost:" + gateway.port() + "/mcp", "legacy");

        assertThat(seen.get("connected").path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(seen.get("call:echo").path("detail").asText()).isEqualTo("hi");
        assertThat(seen.get("call:ask-model").path("handled")).isEmpty();
    }

    private static Map<String, JsonNode> run(String url, String negotiation) throws Exception {
        List<String> args = new ArrayList<>(List.of(url));
        args.addAll(List.of(SPECS));
        NodePeers.Result result = NodePeers.runWithEnv(CLIENT_TIMEOUT_SECONDS, Map.of("NEGOTIATION", negotiation), "ts2-client.mjs",
                args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.output()).isZero();
        Map<String, JsonNode> lines = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            if (line.startsWith("CONNECTED ")) {
                lines.put("connected", JSON.readTree(line.substring("CONNECTED ".length())));
            } else if (line.startsWith("CASE ")) {
                JsonNode c = JSON.readTree(line.substring("CASE ".length()));
                lines.put(c.path("case").asText(), c);
            }
        }
        assertThat(lines).as(result.output()).containsKeys("connected", "call:echo");
        return lines;
    }

    private static List<JsonNode> executedSince(int mark) throws Exception {
        List<JsonNode> executed = new ArrayList<>();
        for (String line : printedSince(mark).split("\n")) {
            if (line.startsWith("EXECUTED ")) {
                executed.add(JSON.readTree(line.substring("EXECUTED ".length())));
            }
        }
        return executed;
    }

    /**
     * Where the server's output stands once a marker call sent straight to it has been printed. The output is read on
     * another thread, so a line the server printed before answering an earlier request (another test's listen, say) can
     * still arrive after the caller got its answer: a mark taken by length alone would count it as this test's.
     */
    private static int markPrinted() throws Exception {
        String marker = printMarker();
        String output = server.output();
        int line = output.indexOf("EXECUTED {\"tool\":\"echo\",\"args\":{\"message\":\"" + marker);
        return output.indexOf('\n', line) + 1;
    }

    /** The server's output from {@code mark} up to a marker call sent straight to it: all it printed meanwhile, read. */
    private static String printedSince(int mark) throws Exception {
        String marker = printMarker();
        String since = server.output().substring(mark);
        return since.substring(0, since.lastIndexOf('\n', since.indexOf(marker)) + 1);
    }

    /** Calls echo on the server directly with a fresh marker and waits (bounded) until its EXECUTED line has been read. */
    private static String printMarker() throws Exception {
        String marker = "marker-" + java.util.UUID.randomUUID();
        HttpResponse<String> echoed = HTTP.send(HttpRequest.newBuilder(URI.create(server.url("/mcp"))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":\"" + marker + "\"}}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(200);
        String printed = "EXECUTED {\"tool\":\"echo\",\"args\":{\"message\":\"" + marker;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.output().contains(printed)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server never printed the marker call: " + server.output());
            }
            Thread.sleep(5);
        }
        return marker;
    }

    // subscriptions/listen names the resources whose updates it wants in notifications.resourceSubscriptions, as
    // resources/subscribe named one: a listen naming a resource the policy denies is refused and never reaches the
    // server (directly, the server acknowledges it), one naming allowed resources opens its stream.

    @Test
    void directTheServerAcknowledgesAListenOnTheVault() throws Exception {
        JsonNode first = firstMessage(server.url("/mcp"), "[\"file:///public.txt\",\"file:///vault/keys\"]");

        assertThat(first.path("method").asText()).isEqualTo("notifications/subscriptions/acknowledged");
        assertThat(first.path("params").path("notifications").path("resourceSubscriptions").toString()).contains("file:///vault/keys");
    }

    @Test
    void throughTheGatewayAListenOnADeniedResourceIsRefusedAndNeverSent() throws Exception {
        int mark = markPrinted();

        JsonNode answer = firstMessage(gatewayUrl(), "[\"file:///public.txt\",\"file:///vault/keys\"]");

        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString()).isEqualTo("policy_denied");
        assertThat(answer.path("error").path("data").path("rule").asText()).isEqualTo("no-vault");
        assertThat(printedSince(mark)).doesNotContain("subscriptions/listen");
    }

    @Test
    void throughTheGatewayAListenOnADotSegmentFormOfTheVaultIsRefused() throws Exception {
        int mark = markPrinted();

        JsonNode answer = firstMessage(gatewayUrl(), "[\"file:///public/../vault/keys\"]");

        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString()).isEqualTo("non_canonical_uri");
        assertThat(printedSince(mark)).doesNotContain("subscriptions/listen");
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
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
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
