package dev.tollgate.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver that only counts: what the load harness compares with the calls it made, to
 * show spans lost between the gateway and its collector. {@code POST /v1/traces[/KEY]} (protobuf, gzip or
 * not) is answered 200 with an empty {@code ExportTraceServiceResponse}; the spans are counted per KEY (the
 * harness points each gateway at its own path, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=.../v1/traces/TARGET},
 * so one receiver serves every target), by kind and by name. {@code GET /counts} returns them as JSON.
 * <p>
 * Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.OtlpSpanCounter [--port N] [--port-file FILE]}.
 * Listens on 127.0.0.1 only.
 */
public final class OtlpSpanCounter {

    private static final int MAX_NAMES = 200;

    /** Counts for one key. Several event loops may add at once, hence the adders. */
    record Tally(LongAdder exports, LongAdder spans, LongAdder malformed, Map<String, LongAdder> kinds, Map<String, LongAdder> names) {
        Tally() {
            this(new LongAdder(), new LongAdder(), new LongAdder(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }

        void add(String name, int kind) {
            spans.increment();
            kinds.computeIfAbsent(OtlpSpanTally.kindName(kind), k -> new LongAdder()).increment();
            // Span names are bounded in the gateway, but a bug there must not make the receiver the bottleneck.
            LongAdder byName = names.get(name);
            if (byName == null && names.size() < MAX_NAMES) {
                byName = names.computeIfAbsent(name, k -> new LongAdder());
            }
            if (byName != null) {
                byName.increment();
            }
        }

        JsonObject toJson() {
            return new JsonObject().put("exports", exports.sum()).put("spans", spans.sum()).put("malformed", malformed.sum())
                    .put("kinds", sums(kinds)).put("names", sums(names));
        }

        private static JsonObject sums(Map<String, LongAdder> counters) {
            JsonObject json = new JsonObject();
            new TreeMap<>(counters).forEach((k, v) -> json.put(k, v.sum()));
            return json;
        }
    }

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    Tally tally(String key) {
        return tallies.computeIfAbsent(key, k -> new Tally());
    }

    JsonObject countsJson() {
        JsonObject json = new JsonObject();
        new TreeMap<>(tallies).forEach((k, v) -> json.put(k, v.toJson()));
        return json;
    }

    /**
     * Starts the receiver on 127.0.0.1:port (0: any free port); the future holds the server, its actualPort() the port.
     * HTTP/1.1 only unless {@code -Dotlp.h2c=true}: the Collector's OTLP/HTTP receiver refuses HTTP/2 without TLS
     * (open-telemetry/opentelemetry-collector#10952), so the JDK sender's h2c upgrade offer falls back to HTTP/1.1
     * there; Vert.x accepts the upgrade by default, which measured an export path production does not take.
     */
    Future<HttpServer> listen(Vertx vertx, int port) {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setDecompressionSupported(false)
                        .setHttp2ClearTextEnabled(Boolean.getBoolean("otlp.h2c")))
                .requestHandler(this::handle)
                .listen();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (request.method() == HttpMethod.GET && path.equals("/counts")) {
            request.response().putHeader("Content-Type", "application/json").end(countsJson().encodePrettily());
            return;
        }
        if (request.method() != HttpMethod.POST || !path.startsWith("/v1/traces")) {
            request.response().setStatusCode(404).end();
            return;
        }
        String key = path.length() > "/v1/traces/".length() ? path.substring("/v1/traces/".length()) : "default";
        boolean gzip = "gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"));
        request.body().onSuccess(body -> {
            Tally tally = tally(key);
            tally.exports().increment();
            try {
                OtlpSpanTally.visitSpans(gzip ? gunzip(body) : body.getBytes(), tally::add);
            } catch (IllegalArgumentException e) {
                tally.malformed().increment();
                request.response().setStatusCode(400).end(e.getMessage());
                return;
            }
            request.response().putHeader("Content-Type", "application/x-protobuf").end();
        });
    }

    private static byte[] gunzip(Buffer body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("bad gzip body: " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path portFile = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--port-file" -> portFile = Path.of(args[i + 1]);
                default -> {
                    System.err.println("usage: OtlpSpanCounter [--port N] [--port-file FILE]");
                    System.exit(2);
                }
            }
        }
        HttpServer server = new OtlpSpanCounter().listen(Vertx.vertx(), port).toCompletionStage().toCompletableFuture().get();
        System.out.println("otlp span counter listening on 127.0.0.1:" + server.actualPort());
        if (portFile != null) {
            try {
                Files.writeString(portFile, Integer.toString(server.actualPort()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
