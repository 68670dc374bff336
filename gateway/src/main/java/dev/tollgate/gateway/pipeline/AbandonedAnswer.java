package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.sse.SseDecoder;
import dev.tollgate.protocols.sse.SseEvent;
import dev.tollgate.protocols.sse.SseFramingException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads the upstream's answer to a call its client abandoned, to its end, relaying nothing: each JSON-RPC response in it
 * (a JSON body, or the events of a stream) goes to {@code responses}, so what it reports is still accounted (review Z: a
 * cost it reported, or a task it created, was dropped with it). Reads at most {@link #MAX_JSON_BYTES} of a JSON body and
 * events of at most as many bytes; past that the rest is drained unread.
 */
final class AbandonedAnswer {

    static final int MAX_JSON_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AbandonedAnswer() {
    }

    /** @return completes when the answer has ended (or failed) */
    static Future<Void> drain(HttpClientResponse answer, Consumer<JsonNode> responses) {
        String type = answer.getHeader("content-type");
        boolean stream = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        SseDecoder events = stream ? new SseDecoder(MAX_JSON_BYTES) : null;
        Buffer body = stream ? null : Buffer.buffer();
        boolean[] unreadable = {false};
        answer.handler(chunk -> {
            if (unreadable[0]) {
                return;
            }
            if (events == null) {
                if (body.length() + chunk.length() > MAX_JSON_BYTES) {
                    unreadable[0] = true;
                } else {
                    body.appendBuffer(chunk);
                }
                return;
            }
            try {
                for (SseEvent event : events.feed(chunk.getBytes())) {
                    if (event.data() != null && !event.data().isBlank()) {
                        read(event.data().getBytes(java.nio.charset.StandardCharsets.UTF_8), responses);
                    }
                }
            } catch (SseFramingException e) {
                unreadable[0] = true;
            }
        });
        Future<Void> ended = answer.end().onSuccess(v -> {
            if (body != null && !unreadable[0]) {
                read(body.getBytes(), responses);
            }
        });
        answer.resume();
        return ended;
    }

    /** Each response object of a message (a batch's too); anything unreadable is skipped. */
    private static void read(byte[] bytes, Consumer<JsonNode> responses) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            return;
        }
        for (JsonNode message : node != null && node.isArray() ? node : java.util.List.of(node == null ? JSON.nullNode() : node)) {
            if (message.isObject() && message.hasNonNull("id") && (message.has("result") || message.has("error")) && !message.has("method")) {
                responses.accept(message);
            }
        }
    }
}
