package dev.tollgate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MCP server stand-in of the SSE scale run: a {@code tools/list} is answered with the one tool the probe calls; every
 * other POST is answered {@code 200 text/event-stream} with one
 * {@code notifications/progress} event at once, and the stream is then kept open (a comment line every 15 s,
 * as a server behind a proxy with idle timeouts would) until the client closes it. So each stream costs the
 * gateway what a long-running tool call costs it: a held connection on both sides and a slot of the route.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.SseUpstream [--port N] [--port-file FILE]}; 127.0.0.1 only.
 */
public final class SseUpstream {

    /** The token the probe's calls ask progress under; a gateway drops progress naming a token its call did not send. */
    static final String PROGRESS_TOKEN = "bench";

    static final String FIRST_EVENT = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
            + "\"params\":{\"progressToken\":\"" + PROGRESS_TOKEN + "\",\"progress\":0,\"message\":\"started\"}}\n\n";

    private SseUpstream() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path portFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--port-file" -> portFile = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: SseUpstream [--port N] [--port-file FILE]");
            }
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        AtomicLong open = new AtomicLong();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                        .setAcceptBacklog(16_384).setIdleTimeout(0))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    JsonObject message = body.length() > 0 && body.getByte(0) == '{' ? body.toJsonObject() : new JsonObject();
                    if ("tools/list".equals(message.getString("method"))) {
                        // As the server it stands in for: the gateway lists a route's tools itself before deciding a call to
                        // a tool no list through it named (list-unknown-tools, on by default).
                        request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("jsonrpc", "2.0")
                                .put("id", message.getValue("id")).put("result", new JsonObject().put("tools", new JsonArray()
                                        .add(new JsonObject().put("name", "echo").put("inputSchema", new JsonObject().put("type", "object")))))
                                .encode());
                        return;
                    }
                    HttpServerResponse response = request.response().setChunked(true)
                            .putHeader("Content-Type", "text/event-stream")
                            .putHeader("Cache-Control", "no-cache");
                    response.write(FIRST_EVENT);
                    open.incrementAndGet();
                    long timer = vertx.setPeriodic(15_000, id -> response.write(": keep-alive\n\n"));
                    response.closeHandler(v -> {
                        vertx.cancelTimer(timer);
                        open.decrementAndGet();
                    });
                }))
                .listen().toCompletionStage().toCompletableFuture().get();
        System.out.println("sse upstream listening on 127.0.0.1:" + server.actualPort());
        if (portFile != null) {
            Files.writeString(portFile, Integer.toString(server.actualPort()));
        }
    }
}
