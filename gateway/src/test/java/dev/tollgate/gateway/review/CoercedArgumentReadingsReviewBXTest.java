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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review BX, through the gateway to the real TypeScript SDK server of review BW (review-bw-server.mjs: transfer's
 * {@code to} is {@code z.coerce.number()}, wipe's {@code force} is {@code z.coerce.boolean()}), under an AGT policy
 * denying {@code to == 42}, {@code to == 4.5} and {@code force == True}. Reproducers: each fails on the current code.
 * <ol>
 *   <li>{@code to: "4.5"}: a string spelling a denied fraction is not read as a number (the list {@code ["4.5"]} is).</li>
 *   <li>{@code to: "4.2000…0e1"} (70 zeros): a number text over 64 significant characters is not read at all;
 *       {@code Number()} reads 42.</li>
 *   <li>{@code force: "true"}, {@code "yes"}, {@code [true]}: AGT's {@code eq: true} imports as {@code in: [true, 1]},
 *       which gets no boolean reading at all, not even the lax one; {@code Boolean()} reads all of them as true.</li>
 * </ol>
 */
class CoercedArgumentReadingsReviewBXTest {

    private static final String POLICY = """
            version: "1.0"
            name: bx-readings
            defaults: {action: allow}
            rules:
              - name: frozen-account
                condition: {field: to, operator: eq, value: 42}
                action: deny
                message: Account 42 is frozen.
              - name: frozen-fraction
                condition: {field: to, operator: eq, value: 4.5}
                action: deny
                message: Account 4.5 is frozen.
              - name: no-force
                condition: {field: force, operator: eq, value: true}
                action: deny
                message: No forced wipes.
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Vertx vertx;
    private static HttpClient http;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("review-bw-server.mjs", Map.of());
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

    @Test
    void aStringSpellingADeniedFractionNeverReachesTheTool() throws Exception {
        assertThat(transfersTo("4.5", 4.5)).as("control: to 4.5").isEmpty();
        assertThat(transfersTo("[\"4.5\"]", 4.5)).as("control: to [\"4.5\"]").isEmpty();
        assertThat(transfersTo("\"4.5\"", 4.5)).as("transfers to 4.5 the upstream ran").isEmpty();
    }

    @Test
    void aDeniedIntegerSpelledWithManyDigitsNeverReachesTheTool() throws Exception {
        assertThat(transfersTo("\"4.2" + "0".repeat(10) + "e1\"", 42)).as("control: 10 zeros").isEmpty();
        assertThat(transfersTo("\"4.2" + "0".repeat(70) + "e1\"", 42)).as("transfers to 42 the upstream ran").isEmpty();
    }

    @Test
    void aLaxTrueNeverForcesAWipe() throws Exception {
        assertThat(forcedWipes("true")).as("control: force true").isEmpty();
        List<String> ran = new ArrayList<>();
        for (String force : List.of("\"true\"", "\"yes\"", "[true]")) {
            ran.addAll(forcedWipes(force));
        }
        assertThat(ran).as("forced wipes the upstream ran").isEmpty();
    }

    private static List<String> transfersTo(String to, double account) throws Exception {
        return ran("transfer", "{\"to\":" + to + ",\"amount\":10}", args -> args.path("to").asDouble() == account, to);
    }

    private static List<String> forcedWipes(String force) throws Exception {
        return ran("wipe", "{\"disk\":\"sda\",\"force\":" + force + "}", args -> args.path("force").asBoolean(false), force);
    }

    private static List<String> ran(String tool, String arguments, java.util.function.Predicate<JsonNode> which, String sent)
            throws Exception {
        int mark = server.output().length();
        HttpResponse<String> reply = send(gateway.url("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
                        + arguments + "}}");
        List<String> ran = new ArrayList<>();
        for (JsonNode call : executedSince(mark)) {
            if (call.path("tool").asText().equals(tool) && which.test(call.path("args"))) {
                ran.add(sent + " -> gateway answered " + reply.statusCode() + " " + reply.body() + "; upstream ran " + call);
            }
        }
        return ran;
    }

    private static HttpResponse<String> send(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json, text/event-stream").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the server ran since the mark, bounded by a marker call sent straight to it (as review BW's tests). */
    private static List<JsonNode> executedSince(int mark) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        assertThat(send(server.url("/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + marker + "\"}}}").statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.output().substring(mark).contains(marker)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the upstream never printed the marker call");
            }
            Thread.sleep(5);
        }
        List<JsonNode> executed = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.contains(marker)) {
                break;
            }
            if (line.startsWith("EXECUTED ")) {
                executed.add(JSON.readTree(line.substring("EXECUTED ".length())));
            }
        }
        return executed;
    }
}
