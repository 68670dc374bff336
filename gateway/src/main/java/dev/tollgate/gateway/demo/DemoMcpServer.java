package dev.tollgate.gateway.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small MCP server (Streamable HTTP, 2025-11-25) that {@code tollgate demo} puts behind the gateway so
 * a new user has something real to call with nothing else installed. Tools: {@code echo}, {@code add} and
 * {@code countdown} (answers over SSE with progress notifications when the client sends a progressToken).
 * It is deliberately minimal and for demos only; the test suite uses the official MCP SDK server instead.
 */
public final class DemoMcpServer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROTOCOL_VERSION = "2025-11-25";
    private static final long COUNTDOWN_STEP_MILLIS = 200;

    private final Vertx vertx;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private HttpServer server;

    public DemoMcpServer(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Listens on 127.0.0.1 at the given port (0 picks one); the future carries the bound port. */
    public Future<Integer> start(int port) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(port, "127.0.0.1").map(HttpServer::actualPort);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().equals("/mcp")) {
            request.response().setStatusCode(404).end();
        } else if (request.method() == HttpMethod.DELETE) {
            boolean known = sessions.remove(String.valueOf(request.getHeader("Mcp-Session-Id")));
            request.response().setStatusCode(known ? 200 : 404).end();
        } else if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(405).putHeader("Allow", "POST, DELETE").end();
        } else {
            request.body().onSuccess(body -> {
                try {
                    onMessage(request, JSON.readTree(body.getBytes()));
                } catch (IOException e) {
                    error(request.response(), 400, null, -32700, "Parse error");
                }
            });
        }
    }

    private void onMessage(HttpServerRequest request, JsonNode message) {
        JsonNode id = message.get("id");
        String method = message.path("method").asText("");
        if (id == null) {
            request.response().setStatusCode(202).end();
            return;
        }
        if (!method.equals("initialize") && !sessions.contains(String.valueOf(request.getHeader("Mcp-Session-Id")))) {
            error(request.response(), 404, id, -32001, "Session not found");
            return;
        }
        switch (method) {
            case "initialize" -> initialize(request.response(), id);
            case "ping" -> result(request.response(), id, JSON.createObjectNode());
            case "tools/list" -> result(request.response(), id, tools());
            case "tools/call" -> callTool(request, id, message.path("params"));
            default -> error(request.response(), 200, id, -32601, "Method not found: " + method);
        }
    }

    private void initialize(HttpServerResponse response, JsonNode id) {
        String session = UUID.randomUUID().toString();
        sessions.add(session);
        ObjectNode result = JSON.createObjectNode().put("protocolVersion", PROTOCOL_VERSION);
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "tollgate-demo").put("version", "1.0.0");
        response.putHeader("Mcp-Session-Id", session);
        result(response, id, result);
    }

    private void callTool(HttpServerRequest request, JsonNode id, JsonNode params) {
        JsonNode args = params.path("arguments");
        switch (params.path("name").asText("")) {
            case "echo" -> result(request.response(), id, text(args.path("text").asText("")));
            case "add" -> result(request.response(), id, text(String.valueOf(args.path("a").asDouble() + args.path("b").asDouble())));
            case "countdown" -> countdown(request, id, args.path("from").asInt(3), params.path("_meta").get("progressToken"));
            default -> error(request.response(), 200, id, -32602, "Unknown tool: " + params.path("name").asText());
        }
    }

    /** Counts down over an SSE answer, one progress notification per step, then the result. */
    private void countdown(HttpServerRequest request, JsonNode id, int from, JsonNode progressToken) {
        HttpServerResponse response = request.response();
        if (progressToken == null || !String.valueOf(request.getHeader(HttpHeaders.ACCEPT)).contains("text/event-stream")) {
            result(response, id, text("liftoff"));
            return;
        }
        int steps = Math.max(1, Math.min(from, 10));
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
        for (int i = 1; i <= steps; i++) {
            int step = i;
            vertx.setTimer(step * COUNTDOWN_STEP_MILLIS, t -> {
                ObjectNode note = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/progress");
                note.putObject("params").put("progress", step).put("total", steps).set("progressToken", progressToken);
                response.write("event: message\ndata: " + note + "\n\n");
                if (step == steps) {
                    response.end("event: message\ndata: " + envelope(id).set("result", text("liftoff")) + "\n\n");
                }
            });
        }
    }

    private static ObjectNode tools() {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode tools = result.putArray("tools");
        tools.add(tool("echo", "Returns its text argument", "text", "string"));
        tools.add(tool("add", "Adds two numbers a and b", "a", "number"));
        ((ObjectNode) tools.get(1).get("inputSchema").get("properties")).putObject("b").put("type", "number");
        tools.add(tool("countdown", "Counts down with progress notifications, then says liftoff", "from", "integer"));
        return result;
    }

    private static ObjectNode tool(String name, String description, String property, String type) {
        ObjectNode tool = JSON.createObjectNode().put("name", name).put("description", description);
        ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
        schema.putObject("properties").putObject(property).put("type", type);
        return tool;
    }

    private static ObjectNode text(String text) {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        return result;
    }

    private static ObjectNode envelope(JsonNode id) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        return message;
    }

    private static void result(HttpServerResponse response, JsonNode id, JsonNode result) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(envelope(id).set("result", result).toString());
    }

    private static void error(HttpServerResponse response, int status, JsonNode id, int code, String message) {
        ObjectNode body = envelope(id);
        body.putObject("error").put("code", code).put("message", message);
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
    }
}
