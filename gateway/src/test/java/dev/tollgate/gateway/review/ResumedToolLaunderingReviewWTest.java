package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review W, finding 1 (high: result-policy bypass): the tool sealed into a stream's event ids is chosen by the caller.
 * {@code UpstreamCall.streamTool()} seals the POST's one {@code tools/call}, and otherwise {@code exchange.resumedTool()}:
 * the tool of whatever {@code Last-Event-ID} the request carried. ResumptionStage opens a {@code Last-Event-ID} on any
 * method, a POST included, and a POST that is not one {@code tools/call} (a batch, a {@code tasks/result}) therefore gets
 * its stream's event ids sealed with the tool of an unrelated stream the caller names.
 *
 * <p>Exact input, against the real TypeScript SDK peer (ts-resumable-server.mjs: tool {@code echo}, one event store) and a
 * policy that redacts card numbers from {@code echo}'s results ({@code {direction: result}, {tool: echo}, pii card}):
 * <ol>
 * <li>{@code tools/call {name: "other"}} (any tool name): its priming event's id comes back sealed with tool "other".</li>
 * <li>a POST, {@code MCP-Protocol-Version: 2025-03-26}, {@code Last-Event-ID: <that id>}, body
 * {@code [tools/call echo "card 4111 1111 1111 1111" id 3, the same id 4]}: both answers are redacted on the POST (the
 * gateway decides them as echo's, by request id), but their event ids are sealed with tool "other".</li>
 * <li>{@code GET, Last-Event-ID: <the batch's first event id>}: the server replays answer 4 as stored.</li>
 * </ol>
 *
 * <p>Gateway's reading: the replayed response answers a call of tool "other", so echo's redaction rule does not apply.
 * The upstream's reading: it is echo's result (answer 4 of the batch). The raw card number reaches the caller.
 *
 * <p>Suggested fix: seal into a stream's ids only what that stream's own request says: the POST's one
 * {@code tools/call}, else null; never inherit {@code resumedTool} on a request that has a body. Better, refuse (or drop)
 * {@code Last-Event-ID} on anything but a GET: only a GET resumes a stream (MCP Streamable HTTP), so ResumptionStage
 * should answer 400 for a POST/DELETE carrying one and UpstreamCall should not forward it there.
 */
class ResumedToolLaunderingReviewWTest {

    private static final String CARD = "4111 1111 1111 1111";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"review-w\",\"version\":\"1\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-resumable-server.mjs", Map.of("PORT", "0"));
        vertx = Vertx.vertx();
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-card-numbers-from-echo
                    condition: {all: [{direction: result}, {tool: echo}, {check: {name: pii, args: {kinds: [card]}}}]}
                    action: redact
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(server.url("/mcp"), dir, "p", TestSessions.YAML));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private HttpResponse<String> post(String session, String version, String lastEventId, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", version)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> eventIds(String stream) {
        List<String> ids = new ArrayList<>();
        stream.lines().filter(line -> line.startsWith("id: ")).forEach(line -> ids.add(line.substring(4)));
        return ids;
    }

    /** The messages of a resumed GET, read until one answer arrives (the stream stays open). */
    private String resume(String session, String lastEventId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(3))
                .header("Accept", "text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .header("Mcp-Session-Id", session).header("Last-Event-ID", lastEventId).GET().build();
        HttpResponse<Stream<String>> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (java.net.http.HttpTimeoutException e) {
            return "(nothing replayed)\n"; // the gateway sends its headers with the first event
        }
        StringBuilder seen = new StringBuilder("status " + response.statusCode() + "\n");
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                seen.append(line).append('\n');
                if (line.startsWith("data: {") && line.contains("\"id\"")) {
                    break;
                }
            }
        }
        return seen.toString();
    }

    private static String echo(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"card " + CARD + "\"}}}";
    }

    @Test
    void aReplayedEchoResultIsDecidedAsTheToolOfAnUnrelatedStreamTheCallerNamedOnItsPost() throws Exception {
        HttpResponse<String> init = post(null, "2025-11-25", null, INITIALIZE);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post(session, "2025-11-25", null, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

        // 1. Any stream of a tools/call naming a tool the redaction rule is not scoped to.
        HttpResponse<String> other = post(session, "2025-11-25", null,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"other\",\"arguments\":{}}}");
        List<String> otherIds = eventIds(other.body());
        assertThat(otherIds).as("the 'other' call's stream: " + other.body()).isNotEmpty();

        // 2. echo's results, POSTed as a batch carrying that id as Last-Event-ID: redacted here, decided by request id.
        HttpResponse<String> batch = post(session, "2025-03-26", otherIds.get(0), "[" + echo(3) + "," + echo(4) + "]");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(batch.body()).as("redacted on the POST").contains("\"id\":4").doesNotContain(CARD);
        List<String> batchIds = eventIds(batch.body());
        assertThat(batchIds).as("the batch's events carry ids: " + batch.body()).hasSizeGreaterThanOrEqualTo(2);

        // 3. Resume the batch's stream after one of its events: the server replays the other answer as it stored it. (The
        // SDK's example store orders a stream's events by id, <stream>_<ms>_<random>: within one millisecond the order is
        // random, so each event id is tried; the one sorting first replays the other answer.)
        StringBuilder replayed = new StringBuilder();
        for (String id : batchIds) {
            replayed.append(resume(session, id));
        }

        assertThat(replayed.toString()).as("an echo answer, replayed: " + replayed).containsPattern("\"id\":[34]");
        assertThat(replayed.toString()).as("decided as echo's result, the card number redacted").doesNotContain(CARD);
    }
}
