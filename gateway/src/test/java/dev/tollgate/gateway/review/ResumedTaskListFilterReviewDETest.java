package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review DE: a {@code tasks/list} answer is filtered to the caller's own tasks only when the caller's POST is a tasks/list.
 * The same answer can reach the client on a GET: a stateless, resumable server (the TypeScript SDK's transport with an
 * event store, which lists every task it holds when it has no sessions) replays it to a GET with {@code Last-Event-ID}
 * naming the priming event of the list's stream (SEP-1699; the TypeScript client resumes that way when a stream ends
 * before its answer, or when asked to with {@code resumptionToken}, and hands the replayed answer to its list call). The
 * GET's filter did not know the answer was a task list: another tenant's task (its id, state and status message) was
 * relayed to the caller the POST's answer had hidden it from.
 */
class ResumedTaskListFilterReviewDETest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0", "TASKS", "1", "EVENTS", "1", "JOB_MS", "60000"));
        tokens = TenantTokens.in(dir);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, tokens.allowAllMcpYaml(dir, "tasks", server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private HttpRequest.Builder request(String tenant) throws Exception {
        return HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(TEN_SECONDS)
                .header("MCP-Protocol-Version", "2025-11-25").header("X-Waxell-AXID", tokens.token(tenant, "a"));
    }

    private String post(String tenant, String body) throws Exception {
        return http.send(request(tenant).header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The JSON-RPC message of the stream's first event that holds one. */
    private static JsonNode message(String stream) throws Exception {
        for (String line : stream.split("\n")) {
            if (line.startsWith("data: {")) {
                return JSON.readTree(line.substring("data: ".length()));
            }
        }
        throw new AssertionError("no message in " + stream);
    }

    /** The id of the stream's first event: the priming event the server opens every stream with. */
    private static String primingId(String stream) {
        for (String line : stream.split("\n")) {
            if (line.startsWith("id: ")) {
                return line.substring("id: ".length());
            }
        }
        throw new AssertionError("no event id in " + stream);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTaskListReplayedOnAResumedStreamShowsOnlyTheCallersTasks() throws Exception {
        String acmeTask = message(post("acme", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                + "\"arguments\":{\"name\":\"acme\"},\"task\":{\"ttl\":600000}}}")).at("/result/task/taskId").asText();
        assertThat(acmeTask).isNotEmpty();

        String listed = post("globex", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/list\",\"params\":{}}");
        assertThat(message(listed).at("/result/tasks").size()).as("the POST's answer is filtered: " + listed).isZero();

        // The same answer, replayed after the list stream's priming event (globex's own, sealed to it).
        HttpResponse<Stream<String>> resumed = http.send(request("globex").header("Accept", "text/event-stream")
                .header("Last-Event-ID", primingId(listed)).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(resumed.statusCode()).isEqualTo(200);
        String replayed = null;
        try (Stream<String> lines = resumed.body()) {
            for (Iterator<String> it = lines.iterator(); it.hasNext() && replayed == null; ) {
                String line = it.next();
                if (line.startsWith("data: {") && line.contains("\"id\":2")) {
                    replayed = line;
                }
            }
        }
        assertThat(replayed).as("the replayed tasks/list answer").isNotNull();
        assertThat(replayed).as("another tenant's task on the resumed stream").doesNotContain(acmeTask);
    }
}
