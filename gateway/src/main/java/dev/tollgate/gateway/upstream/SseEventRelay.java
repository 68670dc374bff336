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

    /** Holds an event {@link EventFilter#onEvent} passed until what deciding it started has finished (a shared store write). */
    @FunctionalInterface
    public interface EventSettler {
        /**
         * @param passed what the filter passed (null: dropped)
         * @return completes with the event to send in its place (the same, a replacement, or null to drop it); at once when
         *         nothing is pending. A failed future cuts the client's stream (fail closed).
         */
        Future<SseEvent> settle(SseEvent passed);
    }

    private SseEventRelay() {
    }

    /**
     * As {@link #relay(ReadStream, HttpServerResponse, SseDecoder, EventFilter)}, each event prepared first and settled
     * after it is decided: while an event waits, the upstream is paused and later events queue behind it, so the client
     * receives them in order; the client's response ends once the last queued event is written.
     */
    public static Future<Void> relay(ReadStream<Buffer> upstream, HttpServerResponse client, SseDecoder decoder,
                                     EventPreparer preparer, EventFilter filter, EventSettler settler) {
        Promise<Void> done = Promise.promise();
        WaitingRelay relay = new WaitingRelay(upstream, client, preparer, filter, settler, done);
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

    /** The events of one relayed stream, in order, each decided once it is prepared and sent once it is settled. Event-loop confined. */
    private static final class WaitingRelay {

        private final ReadStream<Buffer> upstream;
        private final HttpServerResponse client;
        private final EventPreparer preparer;
        private final EventFilter filter;
        private final EventSettler settler;
        private final Promise<Void> done;
        private final java.util.ArrayDeque<SseEvent> queued = new java.util.ArrayDeque<>();
        private boolean waiting;
        private boolean ended;

        WaitingRelay(ReadStream<Buffer> upstream, HttpServerResponse client, EventPreparer preparer, EventFilter filter,
                     EventSettler settler, Promise<Void> done) {
            this.upstream = upstream;
            this.client = client;
            this.preparer = preparer;
            this.filter = filter;
            this.settler = settler;
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
                    write(out);
                    await(ready, () -> drain(true));
                    return;
                }
                Future<SseEvent> settled = settler.settle(filter.onEvent(queued.poll()));
                if (!settled.isComplete()) {
                    write(out);
                    await(settled, () -> {
                        if (sent(settled)) {
                            write(append(null, settled.result()));
                            drain(false);
                        }
                    });
                    return;
                }
                if (!sent(settled)) {
                    return;
                }
                out = append(out, settled.result());
            }
            write(out);
            if (ended && queued.isEmpty()) {
                client.end();
                done.tryComplete();
            }
        }

        /** Pauses the upstream until {@code pending} completes, then runs {@code then} and resumes unless it waits again. */
        private void await(Future<?> pending, Runnable then) {
            waiting = true;
            upstream.pause();
            pending.onComplete(ar -> {
                waiting = false;
                then.run();
                if (!waiting && !client.writeQueueFull() && !done.future().isComplete()) {
                    upstream.resume();
                }
            });
        }

        /** Whether the settled event may be sent; a failed settling cuts the client's stream, nothing of the event sent. */
        private boolean sent(Future<SseEvent> settled) {
            if (done.future().isComplete()) {
                return false;
            }
            if (settled.failed()) {
                upstream.handler(null);
                client.reset();
                done.tryFail(settled.cause());
                return false;
            }
            return true;
        }

        private static Buffer append(Buffer out, SseEvent event) {
            if (event == null) {
                return out;
            }
            Buffer into = out == null ? Buffer.buffer() : out;
            return into.appendBytes(SseEncoder.encode(event));
        }

        private void write(Buffer out) {
            if (out != null) {
                StreamRelay.write(upstream, client, out);
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
