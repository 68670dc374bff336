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
    /** The data line of the first event holding a message with this id, read from a GET resuming the stream after {@code eventId}. */
    private String resumed(String tenant, String eventId, int messageId) throws Exception {
        HttpResponse<Stream<String>> resumed = http.send(request(tenant).header("Accept", "text/event-stream")
                .header("Last-Event-ID", eventId).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(resumed.statusCode()).isEqualTo(200);
        try (Stream<String> lines = resumed.body()) {
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("data: {") && line.contains("\"id\":" + messageId)) {
                    return line;
                }
            }
        }
        return null;
    }

    private String job(String tenant, int id, long ttlMillis) throws Exception {
        String task = message(post(tenant, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"job\","
                + "\"arguments\":{\"name\":\"" + tenant + "\"},\"task\":{\"ttl\":" + ttlMillis + "}}}")).at("/result/task/taskId").asText();
        assertThat(task).isNotEmpty();
        return task;
    }

    /**
     * Review AD's leak through the same door: the upstream's error about a cursor the gateway unsealed quotes the page's
     * last task, another tenant's (gone from the store since), and the POST's answer is the gateway's own error instead;
     * replayed to a GET resuming that page's stream, the upstream's error reached the caller as it was.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theUpstreamsErrorAboutAnUnsealedCursorIsNotReplayedOnAResumedStream() throws Exception {
        for (int i = 0; i < 9; i++) {
            job("acme", 1 + i, 600_000);
        }
        // globex's task is the tenth the server holds: the end of acme's first page, and the upstream cursor sealed in it.
        String globexTask = job("globex", 20, 1_000);
        job("acme", 30, 600_000);

        JsonNode first = message(post("acme", "{\"jsonrpc\":\"2.0\",\"id\":100,\"method\":\"tasks/list\",\"params\":{}}"));
        assertThat(first.at("/result/tasks").size()).isEqualTo(9);
        String cursor = first.at("/result/nextCursor").asText();
        assertThat(cursor).isNotEmpty();

        // The next page, asked for until globex's task has left the SDK's store (its ttl): then the upstream refuses the cursor.
        String page;
        int id = 101;
        do {
            page = post("acme", "{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"tasks/list\",\"params\":{\"cursor\":\"" + cursor + "\"}}");
        } while (!message(page).has("error"));
        assertThat(page).as("the POST's answer").doesNotContain(globexTask);

        // Resumed from the page's priming event, when its stream offers one to resume from.
        String prime = page.lines().filter(line -> line.startsWith("id: ")).map(line -> line.substring("id: ".length())).findFirst().orElse(null);
        if (prime != null) {
            assertThat(resumed("acme", prime, id)).as("the resumed page's stream must not replay the upstream's error naming globex's task")
                    .doesNotContain(globexTask);
        }
    }
}
