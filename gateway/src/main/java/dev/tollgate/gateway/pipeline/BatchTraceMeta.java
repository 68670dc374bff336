package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;

/**
 * A JSON-RPC batch forwarded without the named {@code params._meta} members of its elements (the caller's trace context
 * under {@code incoming-trace: link}), in a body the gateway writes from the elements it forwards (all of them, or those
 * the policy allowed): each element's other members as they were parsed and decided.
 */
final class BatchTraceMeta {

    /** Numbers kept as written (a double would round {@code 0.1000000000000000055511151231257827} to what was not decided). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private BatchTraceMeta() {
    }

    static void strip(Exchange exchange, List<String> names) {
        JsonNode batch;
        try {
            batch = JSON.readTree(exchange.forwardBody().getBytes());
        } catch (IOException e) {
            return; // the strict parser read it already: not reached
        }
        if (batch == null || !batch.isArray()) {
            return;
        }
        boolean changed = false;
        for (JsonNode element : batch) {
            JsonNode meta = element.path("params").path("_meta");
            if (meta.isObject() && names.stream().anyMatch(meta::has)) {
                ((ObjectNode) meta).remove(names);
                changed = true;
            }
        }
        if (changed) {
            try {
                exchange.forwardRewritten(Buffer.buffer(JSON.writeValueAsBytes(batch)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
