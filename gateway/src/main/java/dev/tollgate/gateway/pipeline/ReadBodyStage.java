package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.http.JsonBodyType;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.protocols.a2a.A2aHeaders;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * Reads a POST body into memory, up to the configured limit, after checking its media type. The body is
 * buffered (not streamed) because policy must see the whole JSON-RPC message before anything is forwarded.
 * The dispatcher pauses POST requests on arrival, so no chunk is lost before this stage installs its handlers.
 */
public final class ReadBodyStage implements Stage {

    /**
     * After refusing a body, up to this much of it is still read and dropped so the kept-alive connection
     * stays usable (clients often send the whole body before reading the answer); beyond it the
     * connection is closed.
     */
    static final long MAX_DISCARDED_BODY_BYTES = 1024L * 1024;

    /** The most a body buffer starts with, whatever Content-Length claims. */
    static final int INITIAL_BODY_BUFFER_BYTES = 16 * 1024;

    /** What a chunked body (no Content-Length) starts with. */
    private static final int UNDECLARED_BODY_BUFFER_BYTES = 1024;

    private static final Set<String> MCP_MEDIA_TYPES = Set.of("application/json");
    private static final Set<String> A2A_MEDIA_TYPES = Set.of("application/json", A2aHeaders.MEDIA_TYPE);

    private final ErrorResponder errors;
    private final GatewayMetrics metrics;

    public ReadBodyStage(ErrorResponder errors, GatewayMetrics metrics) {
        this.errors = errors;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "read-body";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        if (request.method() != HttpMethod.POST) {
            return StageResult.proceed();
        }
        String refused = refusedEncoding(exchange);
        if (refused != null) {
            return reject(exchange, RejectReason.UNSUPPORTED_MEDIA_TYPE, refused, declaredLength(request));
        }
        long limit = exchange.snapshot().config().limits().maxBodyBytes();
        long declared = declaredLength(request);
        if (declared > limit) {
            return reject(exchange, RejectReason.BODY_TOO_LARGE, "Content-Length " + declared + " exceeds " + limit + " bytes", declared);
        }
        if (ExpectContinue.expected(request)) {
            // The client holds its body back until told to send it (the JDK and .NET clients wait for this, curl for a
            // second): told only now that its media type and declared length passed, so a refused body is never sent.
            request.response().writeContinue();
        }
        return read(exchange, limit, declared);
    }

    private Future<StageResult> read(Exchange exchange, long limit, long declared) {
        HttpServerRequest request = exchange.request();
        Promise<StageResult> done = Promise.promise();
        // Grown with the bytes received: a Content-Length promised but never sent reserves no memory. Sized
        // exactly when the length is declared: the body lives as long as the call (a whole SSE stream).
        Buffer body = Buffer.buffer((int) Math.min(declared >= 0 ? declared : UNDECLARED_BODY_BUFFER_BYTES, INITIAL_BODY_BUFFER_BYTES));
        long[] discarded = {0};
        // A body trickled in a byte at a time would hold the connection and its buffer for ever.
        long bodyTimeout = exchange.snapshot().config().limits().bodyTimeout().toMillis();
        CallDeadlines.Deadline timer = CallDeadlines.current().after(bodyTimeout, () -> {
            if (!done.future().isComplete()) {
                // Answered (status and reason on the exchange) before the stage completes: completion records what was answered.
                request.handler(null);
                exchange.errorType(RejectReason.BODY_TIMEOUT.code());
                errors.respond(exchange.response(), RejectReason.BODY_TIMEOUT, null,
                        "the body did not arrive within " + bodyTimeout + " ms (limits.body-timeout); received " + body.length() + " bytes")
                        .onComplete(v -> request.connection().close());
                done.complete(StageResult.RESPONDED);
            }
        });
        done.future().onComplete(v -> timer.cancel());
        request.handler(chunk -> {
            if (done.future().isComplete()) {
                // Past the limit: keep reading to keep the connection usable, up to a bound.
                discarded[0] += chunk.length();
                if (discarded[0] > MAX_DISCARDED_BODY_BYTES) {
                    request.handler(null);
                    request.connection().close();
                }
                return;
            }
            if (body.length() + chunk.length() > limit) {
                // The stage completes first, as before fix DA: the pipeline then sets the rest of the body to be read and
                // dropped until the connection closes, before the answer goes out (answered first, the connection could
                // reset a client still writing its body: BadInputTest under load). The status and reason are on the
                // exchange already, so completion records what is about to be answered.
                exchange.errorType(RejectReason.BODY_TOO_LARGE.code());
                exchange.response().setStatusCode(RejectReason.BODY_TOO_LARGE.httpStatus());
                done.complete(StageResult.RESPONDED);
                errors.respond(exchange.response(), RejectReason.BODY_TOO_LARGE, null, "body exceeds " + limit + " bytes");
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> {
            if (!done.future().isComplete()) {
                exchange.body(body);
                done.complete(StageResult.CONTINUE);
            }
        });
        request.exceptionHandler(e -> {
            if (!done.future().isComplete()) {
                metrics.clientAborted();
                done.complete(StageResult.RESPONDED);
            }
        });
        request.resume();
        return done.future();
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason, String detail, long declared) {
        exchange.errorType(reason.code());
        Future<Void> answered = errors.respond(exchange.response(), reason, null, detail);
        if (declared > MAX_DISCARDED_BODY_BYTES) {
            // Too much to read and throw away: close once the answer is out.
            answered.onComplete(v -> exchange.request().connection().close());
        }
        // Otherwise the pipeline reads and drops the unread body, keeping the connection alive.
        return StageResult.responded();
    }

    /**
     * Why the body cannot be read exactly as the upstream will read it, or null when it can (and the media
     * type to forward is recorded). One Content-Type, a JSON media type of the route's protocol, UTF-8 only;
     * no Content-Encoding: an upstream that inflates or transcodes the body would decide on other bytes.
     */
    private static String refusedEncoding(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        if (request.headers().getAll(HttpHeaders.CONTENT_TYPE).size() > 1) {
            return "more than one Content-Type header";
        }
        for (String encoding : request.headers().getAll(HttpHeaders.CONTENT_ENCODING)) {
            if (!encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                return "Content-Encoding '" + encoding.trim() + "' is not accepted: send the JSON uncompressed";
            }
        }
        JsonBodyType.Verdict verdict = JsonBodyType.check(request.getHeader(HttpHeaders.CONTENT_TYPE),
                exchange.a2a() != null ? A2A_MEDIA_TYPES : MCP_MEDIA_TYPES);
        if (!verdict.accepted()) {
            return verdict.problem();
        }
        exchange.bodyMediaType(verdict.mediaType());
        return null;
    }

    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
