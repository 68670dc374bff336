package dev.tollgate.gateway.session;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream is resumed ({@code Last-Event-ID}) only by the caller it was relayed to. The peer is the official TypeScript
 * SDK's transport with one event store for all its sessions (ts-resumable-server.mjs): it replays whatever stream the
 * store finds for the id it is given, whichever session asks, as the first test shows on the server itself. Through the
 * gateway the client holds sealed event ids: its own resume works, another caller's or a forged id is refused
 * {@code unknown_event_id} and the server sees no request.
 */
class ResumedStreamOwnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The SDK example store's event ids: {@code <stream uuid>_<ms>_<random>}. */
    private static final Pattern UPSTREAM_EVENT_ID = Pattern.compile("[0-9a-f-]{36}_\\d+_[0-9a-z]+");
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"resume-test\",\"version\":\"1\"}}}";
    private static final String ECHO = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            + "\"arguments\":{\"message\":\"acme's secret\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = NodeServer.start("ts-resumable-server.mjs", Map.of("PORT", "0"));
        tokens = TenantTokens.in(dir);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, tokens.allowAllMcpYaml(dir, "resumable", server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private HttpRequest.Builder request(String url, String tenant, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25");
        if (tenant != null) {
            request.header("X-Waxell-AXID", tokens.token(tenant, "a"));
        }
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request;
    }

    private HttpResponse<String> post(String url, String tenant, String session, String body) throws Exception {
        return http.send(request(url, tenant, session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session(String url, String tenant) throws Exception {
        return post(url, tenant, null, INITIALIZE).headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private static List<String> eventIds(String stream) {
        List<String> ids = new ArrayList<>();
        stream.lines().filter(line -> line.startsWith("id: ")).forEach(line -> ids.add(line.substring(4)));
        return ids;
    }

    /** A GET resuming after {@code lastEventIds}: its status, and the first message it carries (read until it comes). */
    private record Resumed(int status, String firstMessage) {
    }

    private Resumed resume(String url, String tenant, String session, String... lastEventIds) throws Exception {
        HttpRequest.Builder request = request(url, tenant, session).GET();
        for (String id : lastEventIds) {
            request.header("Last-Event-ID", id);
        }
        HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                return new Resumed(response.statusCode(), String.join("\n", lines.toList()));
            }
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("data: {")) {
                    return new Resumed(200, line.substring(6));
                }
            }
            return new Resumed(200, null);
        }
    }

    /**
     * The GETs (stream resumptions) the server printed after {@code mark}. The server's output is read on another thread,
     * so a POST answered before the mark may still print after it: only GETs are counted, and they are read once the output
     * has had time to arrive.
     */
    private List<JsonNode> resumptionsSince(int mark) throws Exception {
        Thread.sleep(500);
        return printedResumptionsSince(mark);
    }

    /**
     * As {@link #resumptionsSince(int)}, once at least {@code atLeast} have been read (bounded: a loaded machine can take
     * longer than the half second to hand the line over), then half a second more for any extra one.
     */
    private List<JsonNode> resumptionsSince(int mark, int atLeast) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (printedResumptionsSince(mark).size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return resumptionsSince(mark);
    }

    private List<JsonNode> printedResumptionsSince(int mark) throws Exception {
        List<JsonNode> requests = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.startsWith("REQUEST ")) {
                JsonNode request = JSON.readTree(line.substring(8));
                if ("GET".equals(request.path("method").asText())) {
                    requests.add(request);
                }
            }
        }
        return requests;
    }

    @Test
    void theServerItselfReplaysAnySessionsStreamToWhicheverSessionNamesOneOfItsEvents() throws Exception {
        String acme = session(server.url("/mcp"), null);
        String globex = session(server.url("/mcp"), null);
        List<String> ids = eventIds(post(server.url("/mcp"), null, acme, ECHO).body());
        assertThat(ids).hasSize(2).allMatch(id -> UPSTREAM_EVENT_ID.matcher(id).matches());

        Resumed resumed = resume(server.url("/mcp"), null, globex, ids.get(0));

        assertThat(resumed.firstMessage()).as("acme's answer replayed to globex's session").contains("acme's secret");
    }

    @Test
    void aCallerResumesItsOwnStreamWithTheSealedEventIdsItWasGiven() throws Exception {
        String session = session(gateway.url("/mcp"), "acme");
        List<String> ids = eventIds(post(gateway.url("/mcp"), "acme", session, ECHO).body());
        assertThat(ids).as("the priming event and the answer, each id sealed").hasSize(2)
                .noneMatch(id -> UPSTREAM_EVENT_ID.matcher(id).find());
        int mark = server.output().length();

        Resumed resumed = resume(gateway.url("/mcp"), "acme", session, ids.get(0));

        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.firstMessage()).contains("acme's secret");
        List<JsonNode> requests = resumptionsSince(mark, 1);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).path("lastEventId").asText()).as("the upstream got its own id back")
                .matches(UPSTREAM_EVENT_ID);
    }

    @Test
    void anotherCallerNamingThatEventIsRefusedAndTheServerSeesNothing() throws Exception {
        String acme = session(gateway.url("/mcp"), "acme");
        List<String> ids = eventIds(post(gateway.url("/mcp"), "acme", acme, ECHO).body());
        String globex = session(gateway.url("/mcp"), "globex");
        int mark = server.output().length();

        Resumed resumed = resume(gateway.url("/mcp"), "globex", globex, ids.get(0));

        assertThat(resumed.status()).isEqualTo(400);
        assertThat(JSON.readTree(resumed.firstMessage()).at("/error/data/reason").asText()).isEqualTo("unknown_event_id");
        assertThat(resumed.firstMessage()).doesNotContain("acme's secret");
        assertThat(resumptionsSince(mark)).as("nothing forwarded").isEmpty();
    }

    @Test
    void idsTheGatewayDidNotRelayToThisCallerAreRefusedAndNotForwarded() throws Exception {
        String acme = session(gateway.url("/mcp"), "acme");
        List<String> ids = eventIds(post(gateway.url("/mcp"), "acme", acme, ECHO).body());
        // The upstream's own id form (as the store would hand it out), the caller's sealed session id, garbage, two headers.
        Matcher upstreamForm = UPSTREAM_EVENT_ID.matcher("00000000-0000-0000-0000-000000000000_1796546274077_3l8jpps1");
        assertThat(upstreamForm.matches()).isTrue();
        String[][] attempts = {{upstreamForm.group()}, {acme}, {"x"}, {ids.get(0) + "A"}, {ids.get(0), ids.get(0)}};
        int mark = server.output().length();

        for (String[] attempt : attempts) {
            Resumed resumed = resume(gateway.url("/mcp"), "acme", acme, attempt);

            assertThat(resumed.status()).as(String.join(" + ", attempt)).isEqualTo(400);
            assertThat(JSON.readTree(resumed.firstMessage()).at("/error/data/reason").asText()).isEqualTo("unknown_event_id");
        }
        assertThat(resumptionsSince(mark)).as("nothing forwarded").isEmpty();
    }
}
