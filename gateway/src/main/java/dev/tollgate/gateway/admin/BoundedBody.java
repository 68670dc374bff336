package dev.tollgate.gateway.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body into memory only up to a limit, deciding while it arrives: a Content-Length over
 * the limit fails before a byte is read, a chunked body fails at the chunk that crosses it.
 */
final class BoundedBody {

    /**
     * Read and thrown away after a refusal, so the client (still writing) reads the answer before the
     * connection closes; past it, or when Content-Length promises more, the connection is closed.
     */
    static final long MAX_DISCARDED_BODY_BYTES = 1024L * 1024;

    /** The body is over the limit; no stack trace, it is an answer, not a bug. */
    static final class TooLarge extends RuntimeException {
        private TooLarge() {
            super("body too large", null, false, false);
        }
    }

    private BoundedBody() {
    }

    /** Must be called before the request handler returns: Vert.x drops body bytes that find no handler. */
    static Future<Buffer> read(HttpServerRequest request, int maxBytes) {
        long declared = declaredLength(request);
        if (declared > maxBytes) {
            return Future.failedFuture(new TooLarge());
        }
        Promise<Buffer> done = Promise.promise();
        // Grown with the bytes received: a Content-Length promised but never sent reserves no memory.
        Buffer body = Buffer.buffer((int) Math.min(Math.max(declared, 256), 8192));
        request.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > maxBytes) {
                done.fail(new TooLarge());
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> done.tryComplete(body));
        request.exceptionHandler(done::tryFail);
        return done.future();
    }

    /**
     * After an answer that did not want the body: drops what still arrives (up to
     * {@link #MAX_DISCARDED_BODY_BYTES}, then closes). Returns true when the connection should instead be
     * closed as soon as the answer is out, because Content-Length promises more than is worth reading.
     */
    static boolean discardRest(HttpServerRequest request) {
        if (request.isEnded()) {
            return false;
        }
        if (declaredLength(request) > MAX_DISCARDED_BODY_BYTES) {
            // What already arrived is still read and dropped until the connection closes: closing a socket with
            // unread bytes in it sends a reset, and the client may lose the answer it was about to read.
            request.handler(chunk -> { });
            request.exceptionHandler(e -> { });
            request.resume();
            return true;
        }
        long[] discarded = {0};
        request.handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > MAX_DISCARDED_BODY_BYTES) {
                request.handler(null);
                request.connection().close();
            }
        });
        request.endHandler(null);
        // A client that gives up mid-body after its answer is expected here, not an error to log.
        request.exceptionHandler(e -> { });
        return false;
    }

    /** -1 when absent or unreadable (Netty has already refused a malformed one on HTTP/1.1). */
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
