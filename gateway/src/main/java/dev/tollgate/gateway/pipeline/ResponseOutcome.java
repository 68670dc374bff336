package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.http.BufferBytes;
import dev.tollgate.protocols.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * How a charged call's answer ended, read from the JSON-RPC response the client received (a JSON body,
 * or the response event of an SSE stream): its {@code result} (where upstreams report cost and token
 * usage) or that it was an error. Only charged calls pay for this parse.
 */
final class ResponseOutcome {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonNode result;
    private boolean error;
    /**
     * An A2A HTTP+JSON answer: no JSON-RPC envelope, the body (each event of a stream) is the response itself, and an
     * error is a non-2xx status (review: these calls were charged their estimate only, the cost they reported unread).
     */
    private final boolean bare;

    ResponseOutcome() {
        this(false);
    }

    ResponseOutcome(boolean bare) {
        this.bare = bare;
    }

    /** For an A2A stream: the task its events show, folded to its end (null for every other call). */
    private A2aStreamedTask streamed;

    /** The outcome of an exchange's answer; an A2A stream's also folds the task its events show ({@link #finishedTask}). */
    static ResponseOutcome of(A2aExchange a2a) {
        ResponseOutcome outcome = new ResponseOutcome(a2a != null && a2a.restShaped());
        if (a2a != null && a2a.call() != null && a2a.call().method().streams()) {
            outcome.streamed = new A2aStreamedTask(a2a.call().legacy());
        }
        return outcome;
    }
    /** Each response seen, by its id ({@link #key}): a batch's calls are settled one by one. */
    private final java.util.Map<String, JsonNode> responsesById = new java.util.HashMap<>();

    void onJson(Buffer body) {
        inspect(BufferBytes.readOnly(body));
    }

    SseEvent onEvent(SseEvent event) {
        // Every response event is read: a batch answered as a stream carries one per call (review: only the first was).
        if (bare && result != null && streamed == null) {
            return event; // an HTTP+JSON answer is settled on its first event: the rest is not read
        }
        // Every data event is parsed: a filter on the text "id" missed a response whose member name was escaped
        // ("\u0069d"), which the client reads as its answer, so the cost it reported went unpaid (review BQ).
        if (event.data() != null) {
            inspect(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return event;
    }

    private void inspect(byte[] bytes) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            return;
        }
        if (bare) {
            if (result == null && node != null && node.isObject()) {
                result = node; // the first answer, as a JSON-RPC call's first response
            }
            if (streamed != null) {
                streamed.fold(node);
            }
            return;
        }
        if (node != null && node.isArray()) {
            node.forEach(this::noteById); // a batch's answer
            return;
        }
        if (node == null || !node.isObject() || node.has("method")) {
            return; // a request or notification from the server on the stream
        }
        noteById(node);
        if (streamed != null && node.has("result")) {
            streamed.fold(node.get("result"));
        }
        if (result != null || error) {
            return; // a single call's first response is its answer
        }
        if (node.has("error")) {
            error = true;
        } else if (node.has("result")) {
            result = node.get("result");
        }
    }

    /**
     * The key a response is kept under: the id's text and whether it is a string, since a batch may carry both {@code 1}
     * and {@code "1"} (review: keyed by the text alone, a call was settled on the other one's error and paid nothing).
     */
    static String key(JsonNode id) {
        return (id.isTextual() ? "s:" : "n:") + id.asText();
    }

    /** {@link #key}, or null for no id (an HTTP+JSON A2A call's). What result verdicts and audit records are paired by. */
    static String keyOrNull(JsonNode id) {
        return id == null ? null : key(id);
    }

    /** {@link #key} of an id given as its JSON text ({@code 7}, {@code "a"}), as stream event ids seal it; null when unreadable. */
    static String keyOfJson(String idJson) {
        try {
            JsonNode id = JSON.readTree(idJson);
            return id == null || !(id.isTextual() || id.isNumber()) ? null : key(id);
        } catch (IOException e) {
            return null;
        }
    }

    private void noteById(JsonNode response) {
        if (response.isObject() && !response.has("method") && response.hasNonNull("id") && (response.has("result") || response.has("error"))) {
            responsesById.putIfAbsent(key(response.get("id")), response);
        }
    }

    /** The response to the request of this id ({@link #key}), or null when none was seen. */
    JsonNode responseTo(String idKey) {
        return idKey == null ? null : responsesById.get(idKey);
    }

    /** The result, or null when none was seen (an error, a cut stream, a body too large to inspect). */
    JsonNode result() {
        return result;
    }

    /**
     * The task an A2A stream showed done, as 1.0 wraps it ({@code {"task": ...}}, its metadata merged over the stream's
     * events); null when the stream showed none done (it was cut, or the task still runs), or this is no A2A stream.
     */
    JsonNode finishedTask() {
        return streamed == null ? null : streamed.finished();
    }

    boolean failed() {
        return error;
    }
}
