package dev.tollgate.gateway.support;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream on loopback that records every request it receives (so a test can prove that
 * nothing reached it) and answers with a handler the test sets. The gateway's own tools lists are answered as a server
 * listing no tools would, and kept apart ({@link #gatewayLists()}), unless the test asks for them.
 */
public final class RecordingUpstream implements AutoCloseable {

    public record Received(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Received> gatewayLists = new CopyOnWriteArrayList<>();
    private volatile boolean answerGatewayLists;
    private final AtomicInteger closedConnections = new AtomicInteger();
    /** By default, an empty result to the request's own id, as a real server answers (the gateway refuses a wrong id). */
    private volatile Handler<HttpServerRequest> answer = r -> r.response()
            .putHeader("Content-Type", "application/json")
            .end("{\"jsonrpc\":\"2.0\",\"id\":" + lastRequestId() + ",\"result\":{}}");

    public RecordingUpstream(Vertx vertx) throws Exception {
        this(vertx, 0);
    }

    /** On a given port (0: any free one), e.g. to bring an instance back where a stopped one was. */
    public RecordingUpstream(Vertx vertx, int port) throws Exception {
        this.vertx = vertx;
        this.server = vertx.createHttpServer()
                .connectionHandler(c -> c.closeHandler(v -> closedConnections.incrementAndGet()))
                .requestHandler(this::handle);
        server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Received one = new Received(request.method(), request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body);
            if (!answerGatewayLists && gatewaysOwnList(body) != null) {
                // Answered as a server listing no tools answers (the route then lists no more for a while), apart from the
                // test's answer and from what the gateway forwarded of its clients' requests.
                gatewayLists.add(one);
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":"
                        + gatewaysOwnList(body) + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
                return;
            }
            received.add(one);
            answer.handle(request);
        });
    }

    /**
     * The id of the gateway's own {@code tools/list} (fix AY: asked before deciding a call to a tool no list through it
     * named), told by its id, a number from 2^52 to 2^53 no test's client uses; else null.
     */
    private static String gatewaysOwnList(Buffer body) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.getBytes());
            var id = json == null ? null : json.get("id");
            boolean own = json != null && "tools/list".equals(json.path("method").asText()) && id != null && id.isIntegralNumber()
                    && id.canConvertToLong() && id.longValue() >= (1L << 52) && id.longValue() < (1L << 53);
            return own ? id.toString() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The JSON id of the request just received (the answer handler runs right after it is recorded), or 1. */
    private String lastRequestId() {
        try {
            var id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(received.get(received.size() - 1).body().getBytes()).get("id");
            return id == null ? "1" : id.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "1";
        }
    }

    /** Sets how the upstream answers (the request body has been read when the handler runs). */
    public void answer(Handler<HttpServerRequest> handler) {
        this.answer = handler;
    }

    /**
     * Answers as an MCP server whose tools start tasks: every answer names {@code sessionId}; a POSTed
     * {@code tools/call} starts task {@code job-1} (as a task-augmented call does), anything else has an empty result;
     * other methods get an empty body.
     */
    public void answerAsTaskServer(String sessionId) {
        answer(request -> {
            String body = received.get(received.size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("Mcp-Session-Id", sessionId).putHeader("Content-Type", "application/json");
            String result = body.contains("\"tools/call\"") ? "{\"task\":{\"taskId\":\"job-1\",\"status\":\"working\"}}" : "{}";
            request.response().end(request.method() == HttpMethod.POST ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}" : "");
        });
    }

    public List<Received> received() {
        return received;
    }

    /**
     * The gateway's own tools lists, which this upstream answers as a server with no tools (method not found), unless
     * {@link #answerGatewayLists} passed them to the test's answer (then they are in {@link #received()} too).
     */
    public List<Received> gatewayLists() {
        return gatewayLists;
    }

    /** From now on the gateway's own tools lists are recorded and answered as every other request. */
    public void answerGatewayLists() {
        this.answerGatewayLists = true;
    }

    public int closedConnections() {
        return closedConnections.get();
    }

    public int port() {
        return server.actualPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
