package dev.tollgate.gateway.attacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An MCP server (2025-11-25 on the wire) that attacks its client: it answers {@code initialize} like any
 * server, then answers a tool call or a tools list with the events or JSON a {@link Script} gives, verbatim (a tools list
 * naming no case, the gateway's own, with no tools),
 * {@code $ID} replaced by the request's id. It keeps the GET stream open so a script can send on it too, and
 * records every JSON-RPC response POSTed back to it (the client's, or the gateway's on the client's behalf).
 */
final class HostileMcpUpstream implements AutoCloseable {

    /**
     * @param events      SSE data of each event sent before the call's own answer (null when {@code json} is given)
     * @param json        a whole JSON answer instead of a stream
     * @param contentType the answer's Content-Type, when not the usual one
     * @param onGetStream send the events on the GET stream, and answer the call with plain JSON
     * @param status      the answer's HTTP status (200 unless given)
     * @param location    a Location header to send (a redirect), or null
     */
    record Script(List<String> events, String json, String contentType, boolean onGetStream, int status, String location) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION = "hostile-session-1";

    private final HttpServer server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<JsonNode> answers = new CopyOnWriteArrayList<>();
    private volatile HttpServerResponse getStream;

    HostileMcpUpstream(Vertx vertx) throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void script(String caseName, Script script) {
        scripts.put(caseName, script);
    }

    /** Every JSON-RPC response POSTed back, in arrival order. */
    List<JsonNode> answers() {
        return answers;
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/mcp";
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET) {
            getStream = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            getStream.write("id: 0\ndata: \n\n");
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(200).end();
            return;
        }
        request.body().onSuccess(body -> {
            JsonNode message;
            try {
                message = JSON.readTree(body.getBytes());
            } catch (IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String method = message.path("method").asText(null);
            JsonNode id = message.get("id");
            HttpServerResponse response = request.response().putHeader("Mcp-Session-Id", SESSION);
            if (method == null) {
                answers.add(message);
                response.setStatusCode(202).end();
            } else if (id == null) {
                response.setStatusCode(202).end();
            } else if (method.equals("initialize")) {
                json(response, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"hostile\",\"version\":\"6.6.6\"}}}");
            } else if (method.equals("tools/call") || method.equals("tools/list")) {
                String caseName = message.path("params").path(method.equals("tools/call") ? "name" : "cursor").asText();
                Script script = scripts.get(caseName);
                if (script == null && method.equals("tools/list") && !message.path("params").has("cursor")) {
                    // A plain first page, as the gateway lists before a call to a tool it never saw listed (list-unknown-tools):
                    // answered as the server it claims to be (capabilities: tools) answers it, with its tools (none declared).
                    json(response, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"tools\":[]}}");
                } else if (script == null) {
                    json(response, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32602,\"message\":\"no such case\"}}");
                } else {
                    play(response, script, id.toString(), method.equals("tools/call"));
                }
            } else {
                json(response, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
            }
        });
    }

    private void play(HttpServerResponse response, Script script, String id, boolean call) {
        String done = call ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}" : null;
        response.setStatusCode(script.status());
        if (script.location() != null) {
            response.putHeader("Location", script.location());
        }
        if (script.json() != null) {
            response.putHeader("Content-Type", script.contentType() != null ? script.contentType() : "application/json")
                    .end(script.json().replace("$ID", id));
            return;
        }
        if (script.onGetStream() && getStream != null) {
            script.events().forEach(e -> getStream.write("data: " + e.replace("$ID", id) + "\n\n"));
            json(response, done);
            return;
        }
        response.setChunked(true).putHeader("Content-Type", script.contentType() != null ? script.contentType() : "text/event-stream");
        Buffer out = Buffer.buffer();
        script.events().forEach(e -> out.appendString("data: " + e.replace("$ID", id) + "\n\n"));
        if (done != null) {
            out.appendString("data: " + done + "\n\n");
        }
        response.end(out);
    }

    private static void json(HttpServerResponse response, String body) {
        response.putHeader("Content-Type", "application/json").end(body);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
