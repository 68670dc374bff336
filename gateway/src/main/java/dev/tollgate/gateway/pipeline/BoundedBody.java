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

    /** How far a declared length may size the buffer that joins an answer's chunks; beyond it the buffer grows as bytes arrive. */
    private static final long INITIAL_CAPACITY_BOUND = 64 * 1024;

    private BoundedBody() {
    }

    /**
     * The chunks read so far. Most answers arrive in one chunk, which Vert.x has already copied into a heap buffer
     * of its own (safe to keep): it is kept as it is, and only a second chunk makes a buffer to join them in, sized
     * towards the declared length. Appending to an empty buffer instead cost two allocations and two copies per answer.
     */
    private static final class Collected {
        private final int expected;
        private Buffer body;
        private boolean joined;

        Collected(int expected) {
            this.expected = expected;
        }

        int length() {
            return body == null ? 0 : body.length();
        }

        void add(Buffer chunk) {
            if (body == null) {
                body = chunk;
                return;
            }
            if (!joined) {
                Buffer first = body;
                // Sized by what has arrived (twice it, up to the declared length): a length promised and then
                // trickled reserves no more than the bytes already sent.
                int received = first.length() + chunk.length();
                body = Buffer.buffer(Math.max(received, Math.min(expected, 2 * received)));
                body.appendBuffer(first);
                joined = true;
            }
            body.appendBuffer(chunk);
        }

        Buffer whole() {
            return body == null ? Buffer.buffer(0) : body;
        }
    }

    static Future<Buffer> read(HttpClientResponse upstream, long limit) {
        String declared = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        int expected = 0;
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                if (length > limit) {
                    return Future.failedFuture(new TooLarge("Content-Length " + length + " exceeds limits.max-inspected-response-bytes " + limit));
                }
                expected = (int) Math.min(length, INITIAL_CAPACITY_BOUND);
            } catch (NumberFormatException e) {
                // Vert.x has already refused a malformed length; read and let the limit decide.
            }
        }
        Promise<Buffer> done = Promise.promise();
        Collected body = new Collected(expected);
        upstream.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                upstream.handler(null);
                done.fail(new TooLarge("answer exceeds limits.max-inspected-response-bytes " + limit));
                return;
            }
            body.add(chunk);
        });
        upstream.exceptionHandler(done::tryFail);
        upstream.endHandler(v -> done.tryComplete(body.whole()));
        return done.future();
    }
}
