package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.protocols.sse.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/**
 * Policy and rewriting on the way back, per protocol ({@link McpResponseFilter}, {@link A2aResponseFilter}):
 * the forward stage asks it whether a JSON answer must be read whole, and hands it each SSE event.
 */
interface ResponseFilter {

    /** True when a JSON answer must be read whole and rewritten. */
    boolean rewritesJson();

    /**
     * True when every successful answer must be read and checked before the client sees any of it (MCP: a
     * client acts on whatever the answer holds, so nothing unread may pass). Such a filter may refuse a JSON
     * answer by returning null from {@link #rewriteJson}.
     */
    default boolean inspectsEveryAnswer() {
        return false;
    }

    /** Errors for denied batch elements, to send before the upstream's events; null when none. */
    ArrayNode batchDenials();

    /**
     * Makes ready, before {@link #rewriteJson}, what rewriting this whole JSON answer needs from a shared store: the
     * owners of the tasks a list names that this replica has not seen (tasks: {store: redis}). Completes at once when
     * there is nothing to fetch. A failed future withholds the answer: the client gets 502 task_store_unavailable.
     */
    default Future<Void> beforeRewrite(byte[] body) {
        return Future.succeededFuture();
    }

    /**
     * Rewrites a whole JSON answer; may adjust the response's status and headers (an ETag for a rewritten
     * body, say). Returns the body to send, or null when the answer must not be relayed at all.
     */
    byte[] rewriteJson(byte[] body, HttpServerResponse response);

    /**
     * The body of an error status (4xx, 5xx) a filter that {@link #inspectsEveryAnswer() inspects every answer}
     * was given: the bytes to relay, or null when it must not be relayed.
     *
     * @param encodingProblem why the answer's headers make it unreadable as the client reads it, or null
     * @param pageCharsetProblem why its text, if it is an error page, may not be what a client reads as UTF-8, or null
     */
    default byte[] checkErrorAnswer(byte[] body, String encodingProblem, String pageCharsetProblem) {
        return body;
    }

    /** The event to deliver, rewritten, or null to drop it. */
    SseEvent onEvent(SseEvent event);

    /**
     * True when an event of this answer's stream may have to wait before {@link #onEvent} decides it (see
     * {@link #beforeEvent}) or be held until what deciding it wrote has landed ({@link #settle}); the stream is then
     * relayed in order through a relay that can wait. Only with a shared task store (task lists, task creations).
     */
    default boolean waitsOnEvents() {
        return false;
    }

    /** As {@link #beforeRewrite} for one SSE event; completes (either way) when {@link #onEvent} may decide it. */
    default Future<Void> beforeEvent(SseEvent event) {
        return Future.succeededFuture();
    }

    /**
     * The shared task store writes that deciding the JSON answer made (the task or context it creates): the answer is
     * relayed once they have landed, and withheld (502 task_store_unavailable) when one has not. At once when none.
     */
    default Future<Void> bindingsWritten() {
        return Future.succeededFuture();
    }

    /**
     * For a stream relayed by a relay that can wait ({@link #waitsOnEvents}): the event {@link #onEvent} passed, once what
     * deciding it wrote to the shared task store has landed; when a write failed, an error in place of the call's answer
     * (nothing more of the stream is relayed).
     */
    default Future<SseEvent> settle(SseEvent passed) {
        return Future.succeededFuture(passed);
    }
}
