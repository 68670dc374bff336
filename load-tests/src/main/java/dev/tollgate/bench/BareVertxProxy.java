package dev.tollgate.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * The floor under the gateway, as a load-harness target ({@code run.sh --targets vertx-bare}): the smallest
 * Vert.x 5 proxy that does what every gateway call must, on the same stack and thread layout as the gateway (two
 * event loops, one verticle each, an upstream pool of 64 kept-alive connections, the same server and client options:
 * no h2c detection, strict thread mode, TCP_NODELAY). It reads the request body,
 * parses it as JSON, forwards it, reads the answer, parses it, and relays it. No identity, no policy, no headers
 * copied beyond the content type, no timeouts, no limits: what Tollgate plain costs above this is the
 * gateway's own work; what this costs above nginx is the Vert.x/Netty/JVM path. An answer of type
 * {@code text/event-stream} is relayed as it arrives, unread (what any streaming proxy must do at least), so the SSE
 * scale run ({@code sse-scale.sh --targets vertx-bare}) measures the same floor under the gateway's streams.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.BareVertxProxy PORT UPSTREAM_URL [POOL_SIZE]}; the pool
 * size (64 by default, as the gateway's) must be at least the number of concurrent streams in an SSE run.
 */
public final class BareVertxProxy extends AbstractVerticle {

    private static final int EVENT_LOOPS = 2;
    private static final int DEFAULT_POOL_SIZE = 64;

    private final int port;
    private final URI upstream;
    private final int poolSize;
    private HttpClient client;

    private BareVertxProxy(int port, URI upstream, int poolSize) {
        this.port = port;
        this.upstream = upstream;
        this.poolSize = poolSize;
    }

    public static void main(String[] args) {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: BareVertxProxy PORT UPSTREAM_URL [POOL_SIZE]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        URI upstream = URI.create(args[1]);
        int poolSize = args.length == 3 ? Integer.parseInt(args[2]) : DEFAULT_POOL_SIZE;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
        vertx.deployVerticle(() -> new BareVertxProxy(port, upstream, poolSize), new DeploymentOptions().setInstances(EVENT_LOOPS))
                .onSuccess(id -> System.out.println("bare Vert.x proxy on 127.0.0.1:" + port + " -> " + upstream))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start(Promise<Void> started) {
        // The gateway's socket options on both sides (GatewayVerticle, UpstreamClients), so the difference is its work.
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(poolSize));
        HttpServerOptions server = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
                .setCompressionSupported(false).setHttp2ClearTextEnabled(false).setStrictThreadMode(true);
        vertx.createHttpServer(server).requestHandler(this::proxy).listen().<Void>mapEmpty().onComplete(started);
    }

    private void proxy(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            try {
                new JsonObject(body);
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(upstream.getHost())
                    .setPort(upstream.getPort()).setURI(upstream.getRawPath()).putHeader("Content-Type", "application/json");
            client.request(options)
                    .compose(upstreamRequest -> upstreamRequest.send(body))
                    .compose(answer -> isEventStream(answer)
                            ? stream(answer, request)
                            : answer.body().map(bytes -> relay(answer.statusCode(), bytes)))
                    .onSuccess(answer -> request.response().setStatusCode(answer.status())
                            .putHeader("Content-Type", "application/json").end(answer.body()))
                    .onFailure(e -> request.response().setStatusCode(502).end());
        }).onFailure(e -> request.response().setStatusCode(400).end());
    }

    private static boolean isEventStream(HttpClientResponse answer) {
        String type = answer.getHeader("Content-Type");
        return type != null && type.startsWith("text/event-stream");
    }

    /**
     * Relays an event stream as it arrives (with back-pressure) and resets the upstream request when the client
     * goes; the returned future never completes, as the answer has been handled here.
     */
    private static Future<Answer> stream(HttpClientResponse answer, HttpServerRequest request) {
        HttpServerResponse response = request.response().setStatusCode(answer.statusCode()).setChunked(true)
                .putHeader("Content-Type", answer.getHeader("Content-Type"));
        request.connection().closeHandler(closed -> answer.request().reset());
        answer.pipeTo(response);
        return Promise.<Answer>promise().future();
    }

    /** The upstream's answer, read as JSON (as the gateway reads every answer) and relayed as the same bytes. */
    private static Answer relay(int status, Buffer bytes) {
        new JsonObject(bytes);
        return new Answer(status, bytes);
    }

    private record Answer(int status, Buffer body) {
    }
}
