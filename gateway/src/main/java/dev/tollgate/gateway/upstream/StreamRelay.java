package dev.tollgate.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * Copies an upstream body to the client chunk by chunk as it arrives, never holding more than the
 * client's write queue: when the client is slow the upstream is paused, and resumed on drain. Each
 * chunk is written (and so flushed) at once, which is what keeps a server-to-client request on an SSE
 * stream (sampling, elicitation) from waiting in a buffer while the upstream waits for its answer.
 */
public final class StreamRelay {

    private StreamRelay() {
    }

    /**
     * @param tap sees every chunk before it is written (e.g. an SSE decoder watching events); may be null
     * @return completes when the upstream body has ended and the client response is ended; fails when the
     *         upstream broke off, in which case the client connection is reset rather than ended cleanly
     */
    public static Future<Void> relay(ReadStream<Buffer> upstream, HttpServerResponse client, Handler<Buffer> tap) {
        Promise<Void> done = Promise.promise();
        upstream.handler(chunk -> {
            if (tap != null) {
                tap.handle(chunk);
            }
            write(upstream, client, chunk);
        });
        endWith(upstream, client, done);
        return done.future();
    }

    /** Writes, and pauses the upstream until the client drains when its write queue is full. */
    static void write(ReadStream<Buffer> upstream, HttpServerResponse client, Buffer data) {
        client.write(data);
        if (client.writeQueueFull()) {
            upstream.pause();
            client.drainHandler(v -> upstream.resume());
        }
    }

    /**
     * Ends the client response when the upstream ends; when the upstream breaks off, resets the client
     * connection instead, so a truncated stream is never mistaken for a complete one.
     */
    static void endWith(ReadStream<Buffer> upstream, HttpServerResponse client, Promise<Void> done) {
        upstream.endHandler(v -> {
            client.end();
            done.tryComplete();
        });
        upstream.exceptionHandler(e -> {
            if (!client.ended() && !client.closed()) {
                client.reset();
            }
            done.tryFail(e);
        });
    }
}
