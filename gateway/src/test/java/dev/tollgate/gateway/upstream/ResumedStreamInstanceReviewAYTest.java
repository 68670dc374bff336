package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AY, finding 6 (medium-low: a resumed stream goes to an instance that never had it): the event ids the gateway
 * relays are sealed with the route, the caller and the call (UpstreamCall.sealedId, SealedSessions.sealEventId), but not
 * with the instance that wrote the stream, unlike sessions, task bindings, requestStates, list cursors and A2A page
 * tokens. A GET resuming a stream ({@code Last-Event-ID}) that carries no session (a server without sessions, as the
 * TypeScript SDK's stateless transport with an event store, which replays by id on a GET) is balanced over every instance
 * (nothing pins it): on a route with several it reaches an instance whose event store never held that stream, and the
 * client's answer to the cut call is lost (the call already ran on the first instance and is not sent again).
 * Fix: seal the answering instance into event ids on routes with several instances (as the session seal does) and pin
 * the resumed GET to it in ResumptionStage (a stream whose instance left the route: 400 unknown_event_id).
 */
class ResumedStreamInstanceReviewAYTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A sessionless instance answering a call as a stream whose event is named {@code <name>-ev-1}; a GET gets an empty stream. */
    private RecordingUpstream streamingUpstream(String name) throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        closing.add(upstream);
        upstream.answer(request -> {
            request.response().putHeader("Content-Type", "text/event-stream");
            if (request.method() == HttpMethod.POST) {
                request.response().end("id: " + name + "-ev-1\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}\n\n");
            } else {
                request.response().end();
            }
        });
        return upstream;
    }

    @Test
    void aResumedStreamGoesToTheInstanceThatWroteIt() throws Exception {
        RecordingUpstream a = streamingUpstream("a");
        RecordingUpstream b = streamingUpstream("b");
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: round-robin
                """.formatted(dir.resolve("policies"), java.util.Base64.getEncoder().encodeToString(new byte[32]), a.url("/mcp"), b.url("/mcp")));
        closing.add(gateway);
        TestHttp.Reply streamed = http.postMcp(gateway.port(), "/mcp", CALL);
        String eventId = streamed.body().toString().lines().filter(l -> l.startsWith("id:")).map(l -> l.substring(3).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no event id in " + streamed.body()));
        RecordingUpstream writer = a.received().size() == 1 ? a : b;
        RecordingUpstream other = writer == a ? b : a;
        String writtenId = writer == a ? "a-ev-1" : "b-ev-1";

        for (int i = 0; i < 4; i++) {
            TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Last-Event-ID", eventId), null);
            assertThat(resumed.status()).isEqualTo(200);
        }

        assertThat(other.received()).as("a stream instance " + writtenId.charAt(0) + " wrote, resumed on the other instance with id "
                + other.received().stream().map(r -> r.headers().get("Last-Event-ID")).toList()).isEmpty();
        assertThat(writer.received()).hasSize(5);
    }

    /**
     * The same against two instances of a real MCP TypeScript SDK server, stateless with an event store
     * (ts-stateless-resumable-server.mjs: the SDK's stateless transport replays by Last-Event-ID on a GET): a client
     * resuming a tool call's stream after its first event gets the call's result from the instance that ran it, and
     * nothing from the other.
     */
    @Test
    void aRealSdkStreamResumedThroughTheGatewayReplaysTheResult() throws Exception {
        dev.tollgate.gateway.support.NodeServer a = dev.tollgate.gateway.support.NodeServer.start("ts-stateless-resumable-server.mjs",
                java.util.Map.of("PORT", "0"));
        closing.add(a);
        dev.tollgate.gateway.support.NodeServer b = dev.tollgate.gateway.support.NodeServer.start("ts-stateless-resumable-server.mjs",
                java.util.Map.of("PORT", "0"));
        closing.add(b);
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstreams: [{url: "%s"}, {url: "%s"}]
                    balance: round-robin
                """.formatted(dir.resolve("policies"), java.util.Base64.getEncoder().encodeToString(new byte[32]), a.url("/mcp"), b.url("/mcp")));
        closing.add(gateway);
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> streamed = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url("/mcp")))
                .timeout(java.time.Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"step-echo\",\"arguments\":{\"message\":\"hi\"}}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.body()).as(streamed.body()).contains("echo: hi");
        // The id of the event before the result: the stream as if it had been cut right after the log message.
        List<String> lines = streamed.body().lines().toList();
        String lastBeforeResult = null;
        for (String line : lines) {
            if (line.startsWith("id:")) {
                lastBeforeResult = line.substring(3).strip();
            }
            if (line.startsWith("data:") && line.contains("\"result\"")) {
                break;
            }
        }
        // lastBeforeResult is now the result's own id: take the one before it.
        List<String> ids = lines.stream().filter(l -> l.startsWith("id:")).map(l -> l.substring(3).strip()).toList();
        String resumeFrom = ids.get(ids.indexOf(lastBeforeResult) - 1);

        List<String> replays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replays.add(resume(client, gateway, resumeFrom));
        }
        assertThat(replays).as("each resumed stream replays the call's result (a REQUESTs: "
                + a.output().lines().filter(l -> l.startsWith("REQUEST {\"method\":\"GET\"")).count() + ", b REQUESTs: "
                + b.output().lines().filter(l -> l.startsWith("REQUEST {\"method\":\"GET\"")).count() + ")").containsOnly("result");
    }

    /** "result" when the resumed stream replays the call's result within 3 s, else what came. */
    private static String resume(java.net.http.HttpClient client, RunningGateway gateway, String lastEventId) throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url("/mcp")))
                .timeout(java.time.Duration.ofSeconds(3)).header("Accept", "text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .header("Last-Event-ID", lastEventId).GET().build();
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.util.stream.Stream<String>>> sent =
                client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response;
        try {
            response = sent.get(4, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            sent.cancel(true);
            return "nothing replayed (" + e + ")";
        }
        StringBuilder seen = new StringBuilder("status " + response.statusCode() + ": ");
        java.util.concurrent.CompletableFuture<String> reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.util.stream.Stream<String> body = response.body()) {
                java.util.Iterator<String> it = body.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    seen.append(line).append(' ');
                    if (line.startsWith("data:") && line.contains("echo: hi")) {
                        return "result";
                    }
                }
            }
            return seen.toString();
        });
        try {
            return reading.get(3, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            reading.cancel(true);
            return "no result within 3 s: " + seen;
        }
    }
}
