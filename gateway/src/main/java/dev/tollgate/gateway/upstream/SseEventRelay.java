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

    /** Makes ready what deciding an event needs (a shared store read); the event is decided when the future completes. */
    @FunctionalInterface
    public interface EventPreparer {
        /** @return completes, either way, when {@link EventFilter#onEvent} may run for this event; at once when nothing is needed */
        Future<Void> prepare(SseEvent event);
    }

    private SseEventRelay() {
    }

    /**
     * As {@link #relay(ReadStream, HttpServerResponse, SseDecoder, EventFilter)}, each event prepared first: while an
     * event waits, the upstream is paused and later events queue behind it, so the client receives them in order; the
     * client's response ends once the last queued event is written.
     */
    public static Future<Void> relay(ReadStream<Buffer> upstream, HttpServerResponse client, SseDecoder decoder,
                                     EventPreparer preparer, EventFilter filter) {
        Promise<Void> done = Promise.promise();
        WaitingRelay relay = new WaitingRelay(upstream, client, preparer, filter, done);
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
            relay.offer(events);
        });
        upstream.endHandler(v -> relay.ended());
        upstream.exceptionHandler(e -> {
            if (!client.ended() && !client.closed()) {
                client.reset();
            }
            done.tryFail(e);
        });
        return done.future();
    }

    /** The events of one relayed stream, in order, each decided once it is prepared. Event-loop confined. */
    private static final class WaitingRelay {

        private final ReadStream<Buffer> upstream;
        private final HttpServerResponse client;
        private final EventPreparer preparer;
        private final EventFilter filter;
        private final Promise<Void> done;
        private final java.util.ArrayDeque<SseEvent> queued = new java.util.ArrayDeque<>();
        private boolean waiting;
        private boolean ended;

        WaitingRelay(ReadStream<Buffer> upstream, HttpServerResponse client, EventPreparer preparer, EventFilter filter, Promise<Void> done) {
            this.upstream = upstream;
            this.client = client;
            this.preparer = preparer;
            this.filter = filter;
            this.done = done;
        }

        void offer(List<SseEvent> events) {
            queued.addAll(events);
            if (waiting) {
                upstream.pause(); // resumed by the client's drain meanwhile: hold the upstream until the event is decided
                return;
            }
            drain();
        }

        void ended() {
            ended = true;
            if (!waiting && queued.isEmpty()) {
                client.end();
                done.tryComplete();
            }
        }

        private void drain() {
            drain(false);
        }

        /** @param headPrepared the first queued event was prepared already (it waited): decided without preparing again */
        private void drain(boolean headPrepared) {
            if (done.future().isComplete()) {
                return; // the stream broke off (the client was reset) while an event waited
            }
            Buffer out = null;
            boolean prepared = headPrepared;
            while (!queued.isEmpty()) {
                Future<Void> ready = prepared ? null : preparer.prepare(queued.peek());
                prepared = false;
                if (ready != null && !ready.isComplete()) {
                    waiting = true;
                    upstream.pause();
                    ready.onComplete(ar -> {
                        waiting = false;
                        drain(true);
                        if (!waiting && !client.writeQueueFull()) {
                            upstream.resume();
                        }
                    });
                    break;
                }
                SseEvent passed = filter.onEvent(queued.poll());
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
            if (ended && !waiting && queued.isEmpty()) {
                client.end();
                done.tryComplete();
            }
        }
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
