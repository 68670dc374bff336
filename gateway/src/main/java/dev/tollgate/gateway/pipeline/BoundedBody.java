package dev.tollgate.gateway.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/** Reads an upstream answer whole, up to a limit: a Content-Length over it fails at once, a longer body as soon as it passes it. */
final class BoundedBody {

    /** The answer is larger than the gateway reads. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private BoundedBody() {
    }

    static Future<Buffer> read(HttpClientResponse upstream, long limit) {
        String declared = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                if (length > limit) {
                    return Future.failedFuture(new TooLarge("Content-Length " + length + " exceeds limits.max-inspected-response-bytes " + limit));
                }
            } catch (NumberFormatException e) {
                // Vert.x has already refused a malformed length; read and let the limit decide.
            }
        }
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        upstream.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                upstream.handler(null);
                done.fail(new TooLarge("answer exceeds limits.max-inspected-response-bytes " + limit));
                return;
            }
            body.appendBuffer(chunk);
        });
        upstream.exceptionHandler(done::tryFail);
        upstream.endHandler(v -> done.tryComplete(body));
        return done.future();
    }
}
