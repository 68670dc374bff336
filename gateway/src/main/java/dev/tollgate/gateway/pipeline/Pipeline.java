package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages in order on the request's event loop. Stages that complete synchronously are chained
 * in a loop (no callback per stage); an asynchronous stage resumes the chain when its future completes.
 * A stage failure is a gateway bug, answered 500 and logged, never a silent hang.
 */
public final class Pipeline {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final List<Stage> stages;
    private final ErrorResponder errors;
    private final CompletionRecorder completion;

    public Pipeline(List<Stage> stages, ErrorResponder errors, CompletionRecorder completion) {
        this.stages = List.copyOf(stages);
        this.errors = errors;
        this.completion = completion;
    }

    public List<Stage> stages() {
        return stages;
    }

    public void run(Exchange exchange) {
        runFrom(exchange, 0);
    }

    private void runFrom(Exchange exchange, int first) {
        for (int i = first; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            Future<StageResult> result;
            try {
                result = stage.apply(exchange);
            } catch (RuntimeException e) {
                fail(exchange, stage, e);
                return;
            }
            if (!result.isComplete()) {
                int next = i + 1;
                result.onComplete(ar -> {
                    if (ar.failed()) {
                        fail(exchange, stage, ar.cause());
                    } else if (ar.result() == StageResult.CONTINUE) {
                        runFrom(exchange, next);
                    } else {
                        discardUnreadBody(exchange);
                        completion.completed(exchange);
                    }
                });
                return;
            }
            if (result.failed()) {
                fail(exchange, stage, result.cause());
                return;
            }
            if (result.result() == StageResult.RESPONDED) {
                discardUnreadBody(exchange);
                completion.completed(exchange);
                return;
            }
        }
    }

    /**
     * A stage that answered before the body was read (Host check, verb check, identity, concurrency) leaves the
     * request paused. A small body is read and dropped so the kept-alive connection can carry the next request;
     * a large or chunked one is not read at all: the connection is closed once the answer is out (a body
     * promised but trickled would otherwise hold the connection until the idle timeout).
     */
    private static void discardUnreadBody(Exchange exchange) {
        HttpServerRequest request = exchange.request();
        if (request.isEnded()) {
            return;
        }
        request.handler(null);
        String length = request.getHeader(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH);
        long declared = length == null ? -1 : parseLength(length);
        // A client that sent Expect: 100-continue and got its answer first may never send the body (curl does not), or may
        // send it: which, the connection cannot tell; reading its next request as this body, the gateway would answer
        // bytes that were never a request. The connection ends after this answer instead.
        if (declared >= 0 && declared <= MAX_DISCARDED_BODY_BYTES && !ExpectContinue.bodyHeldBack(request)) {
            request.resume();
        } else {
            // Still read (and drop) what arrives until the close: a socket closed with unread bytes sends a
            // reset, and the client could lose the answer it was about to read.
            request.handler(chunk -> { });
            request.exceptionHandler(e -> { });
            request.resume();
            request.connection().shutdown(1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The most body bytes read and dropped after an early answer to keep a connection alive. */
    private static final long MAX_DISCARDED_BODY_BYTES = 64 * 1024;

    private static long parseLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void fail(Exchange exchange, Stage stage, Throwable cause) {
        CallLogContext.log(exchange, () -> LOG.error("stage {} failed on {} {}", stage.name(), exchange.request().method(),
                exchange.request().path(), cause));
        errors.respond(exchange.response(), RejectReason.INTERNAL_ERROR, null, "stage " + stage.name() + " failed");
        exchange.errorType(RejectReason.INTERNAL_ERROR.code());
        discardUnreadBody(exchange);
        completion.completed(exchange);
    }
}
