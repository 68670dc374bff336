package dev.tollgate.gateway.upstream;

import dev.tollgate.protocols.sse.SseDecoder;
import dev.tollgate.protocols.sse.SseEncoder;
import dev.tollgate.protocols.sse.SseEvent;
import dev.tollgate.protocols.sse.SseFramingException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * Relays an SSE stream event by event so each event can be inspected, passed, rewritten or dropped
 * (policy on server-to-client requests, tools/list filtering). Events are written as soon as they are
 * complete, ids unchanged, with the same back-pressure as {@link StreamRelay}: the upstream is paused
 * while the client's write queue is full.
 */
public final class SseEventRelay {

    /** Decides what the client receives for one upstream event. */
    @FunctionalInterface
    public interface EventFilter {
        /** @return the event to send (the same or a rewritten one), or null to drop it */
        SseEvent onEvent(SseEvent event);
    }

    private SseEventRelay() {
    }

    public static Future<Void> relay(ReadStream<Buffer> upstream, HttpServerResponse client, SseDecoder decoder,
                                     EventFilter filter) {
        Promise<Void> done = Promise.promise();
        upstream.handler(chunk -> {
            List<SseEvent> events;
            try {
                events = decoder.feed(chunk.getBytes());
            } catch (SseFramingException e) {
                upstream.handler(null);
                client.reset();
                done.tryFail(e);
                return;
            }
            Buffer out = null;
            for (SseEvent event : events) {
                SseEvent passed = filter.onEvent(event);
                if (passed != null) {
                    if (out == null) {
                        out = Buffer.buffer();
                    }
                    out.appendBytes(SseEncoder.encode(passed));
                }
            }
            if (out != null) {
                StreamRelay.write(upstream, client, out);
            }
        });
        // An event cut off by the end of the stream is discarded, as an EventSource would.
        StreamRelay.endWith(upstream, client, done);
        return done.future();
    }
}
