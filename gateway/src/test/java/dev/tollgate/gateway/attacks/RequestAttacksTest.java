package dev.tollgate.gateway.attacks;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request half of the attacker's catalog, differential against the real MCP TypeScript SDK server: each
 * case is sent through the gateway, and what the server then executed is compared with what the gateway
 * decided. Where a case gives {@code direct-executes}, the same bytes are first sent straight to the server
 * to show the attack is real (the server runs what policy denies).
 */
class RequestAttacksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EXECUTION_WAIT = Duration.ofSeconds(10);

    /** The MCP TypeScript SDK server a family runs against, unless its file names another ({@code upstream:}). */
    private static final String DEFAULT_UPSTREAM = "ts-server.mjs";

    /** One real upstream peer and a gateway in front of it. */
    private record Peer(NodeServer server, RunningGateway gateway) {
    }

    private static Vertx vertx;
    private static final Map<String, Peer> PEERS = new java.util.HashMap<>();
    private static HttpClient http;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Started on first use: a family's upstream (the 2025 SDK server, or the SDK v2 server for 2026-07-28). */
    private static Peer peer(String script) throws Exception {
        Peer peer = PEERS.get(script);
        if (peer == null) {
            NodeServer server = NodeServer.start(script, Map.of());
            peer = new Peer(server, RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), AttackCatalog.policy(), null,
                    "limits:\n  max-batch-messages: 8\n"));
            PEERS.put(script, peer);
            // As a client would, list the tools through the gateway first: it learns each tool's x-mcp-header declarations.
            HttpResponse<String> listed = send(peer.gateway().url("/mcp"), JSON.readTree(JSON.writeValueAsString(Map.of("body",
                    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/list\"}"))));
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        }
        return peer;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Peer peer : PEERS.values()) {
            peer.gateway().close();
            peer.server().close();
        }
        PEERS.clear();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static Stream<AttackCatalog.Case> requestAttacks() {
        return AttackCatalog.cases("request-");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestAttacks")
    void gatewayDecidesOnWhatTheUpstreamRuns(AttackCatalog.Case c) throws Exception {
        JsonNode spec = c.spec();
        JsonNode expect = spec.path("expect");
        Peer peer = peer(c.upstream() == null ? DEFAULT_UPSTREAM : c.upstream());
        NodeServer server = peer.server();
        if (spec.has("direct-executes")) {
            int mark = server.output().length();
            send(server.url("/mcp"), spec);
            assertThat(executedSince(server, mark)).as("the attack works against the upstream directly").isEqualTo(toList(spec.get("direct-executes")));
        }

        int mark = server.output().length();
        HttpResponse<String> reply = send(peer.gateway().url("/mcp"), spec);

        assertThat(reply.statusCode()).as("status; body " + reply.body()).isEqualTo(expect.path("status").asInt());
        if (expect.has("reason")) {
            assertThat(reasons(reply.body())).as("stable reason in " + reply.body()).contains(expect.get("reason").asText());
        }
        assertThat(executedSince(server, mark)).as("what the upstream executed").isEqualTo(toList(expect.path("executed")));
    }

    private static HttpResponse<String> send(String url, JsonNode spec) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json, text/event-stream");
        boolean typed = false;
        for (JsonNode header : spec.path("headers")) {
            String line = header.asText();
            int colon = line.indexOf(':');
            request.header(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            typed |= line.substring(0, colon).trim().equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body(spec))).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static byte[] body(JsonNode spec) {
        if (spec.has("body-base64")) {
            return Base64.getDecoder().decode(spec.get("body-base64").asText());
        }
        if (spec.has("body-repeat")) {
            JsonNode r = spec.get("body-repeat");
            List<String> elements = new ArrayList<>();
            for (int i = 0; i < r.get("count").asInt(); i++) {
                elements.add(r.get("element").asText());
            }
            return (r.get("prefix").asText() + String.join(r.get("separator").asText(), elements) + r.get("suffix").asText())
                    .getBytes(StandardCharsets.UTF_8);
        }
        return spec.get("body").asText().getBytes(StandardCharsets.UTF_8);
    }

    /** error.data.reason of the answer (every element of a batch answer). */
    private static List<String> reasons(String body) throws Exception {
        JsonNode answer = JSON.readTree(body);
        List<String> reasons = new ArrayList<>();
        for (JsonNode message : answer.isArray() ? answer : JSON.createArrayNode().add(answer)) {
            reasons.add(message.path("error").path("data").path("reason").asText());
        }
        return reasons;
    }

    /**
     * The tools the server executed since the mark: a marker call is sent straight to the server and waited
     * for, so everything the case made it run (it prints in order) is in the output before the marker.
     */
    private static List<JsonNode> executedSince(NodeServer server, int mark) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        // A 2025-11-25 call without a session: both SDK servers run it statelessly.
        HttpResponse<String> reply = send(server.url("/mcp"), JSON.readTree(JSON.writeValueAsString(Map.of("body",
                "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"" + marker + "\"}}}"))));
        assertThat(reply.statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + EXECUTION_WAIT.toNanos();
        while (!server.output().substring(mark).contains(marker)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the upstream never printed the marker call: " + server.output().substring(mark));
            }
            Thread.sleep(10);
        }
        List<JsonNode> executed = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.contains(marker)) {
                break;
            }
            if (line.startsWith("EXECUTED ")) {
                JsonNode call = JSON.readTree(line.substring("EXECUTED ".length()));
                // An earlier case's own marker call can print after that case saw its marker echoed: not this case's doing.
                if (!call.path("args").path("message").asText().startsWith("marker-")) {
                    executed.add(call);
                }
            }
        }
        return executed;
    }

    private static List<JsonNode> toList(JsonNode array) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode element : array) {
            // YAML numbers and strings arrive as JSON would print them: compare through JSON text.
            out.add(JSON.readTree(JSON.writeValueAsString(element)));
        }
        return out;
    }
}
