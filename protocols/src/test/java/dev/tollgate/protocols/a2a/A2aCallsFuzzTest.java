package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Describing an A2A call from arbitrary parameters: an {@link A2aCall} or {@link A2aInvalidRequest}, never
 * another exception. The description names the method, binding and generation it was given, keeps a path's
 * task id, counts every message part; a request naming two different push-notification URLs (found here by a
 * separate walk) is refused, and the one push URL it reports is one the request carries.
 *
 * <p>Input layout: byte 0 picks the method, byte 1 holds flags (HTTP+JSON, 0.3, a path task id, an
 * extensions header), the rest is the params JSON. Seeds: {@code A2aCallsFuzzTestInputs/describesOrRefuses/}.
 */
class A2aCallsFuzzTest {

    private static final StrictJsonParser JSON = new StrictJsonParser();
    private static final int ORACLE_MAX_DEPTH = 16;

    @FuzzTest
    void describesOrRefuses(byte[] input) {
        if (input.length < 2) {
            return;
        }
        A2aMethod method = A2aMethod.values()[(input[0] & 0xFF) % A2aMethod.values().length];
        int flags = input[1];
        A2aCall.Binding binding = (flags & 1) != 0 ? A2aCall.Binding.HTTP_JSON : A2aCall.Binding.JSONRPC;
        boolean legacy = (flags & 2) != 0;
        String pathTaskId = (flags & 4) != 0 ? "task-from-path" : null;
        String header = (flags & 8) != 0 ? " urn:a ,urn:b,," : null;
        JsonNode params = null;
        if (input.length > 2) {
            try {
                params = JSON.parse(Arrays.copyOfRange(input, 2, input.length));
            } catch (JsonRejection e) {
                return;
            }
        }
        String wireMethod = legacy ? method.legacyName() : method.canonicalName();
        Set<String> pushUrls = new HashSet<>();
        if (params != null) {
            pushUrls(params, false, pushUrls, 0);
        }
        A2aCall call;
        try {
            call = A2aCalls.describe(method, wireMethod, binding, legacy, params, pathTaskId, null, header);
        } catch (A2aInvalidRequest e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(pushUrls.size()).as("two push URLs are refused: " + pushUrls).isLessThanOrEqualTo(1);
        assertThat(call.method()).isEqualTo(method);
        assertThat(call.wireMethod()).isEqualTo(wireMethod);
        assertThat(call.binding()).isEqualTo(binding);
        assertThat(call.legacy()).isEqualTo(legacy);
        assertThat(call.view().path("method").asText()).isEqualTo(method.canonicalName());
        assertThat(call.view().path("binding").asText()).isEqualTo(binding.label());
        assertThat(call.view().path("version").asText()).isEqualTo(legacy ? "0.3" : "1.0");
        if (pathTaskId != null) {
            assertThat(call.taskId()).isEqualTo(pathTaskId);
        }
        if (call.pushUrl() != null) {
            assertThat(call.view().path("push").path("url").asText()).isEqualTo(call.pushUrl());
            assertThat(pushUrls.isEmpty() || pushUrls.contains(call.pushUrl())).isTrue();
        }
        if (header != null) {
            assertThat(call.view().path("extensions").toString()).contains("\"urn:a\"", "\"urn:b\"");
        }
        if (method.sendsMessage()) {
            JsonNode parts = params.path("message").path("parts");
            JsonNode message = call.view().get("message");
            assertThat(message.path("partCount").asInt()).isEqualTo(parts.size());
            long total = 0;
            for (JsonNode part : message.path("parts")) {
                assertThat(part.path("size").asLong()).isNotNegative();
                assertThat(part.path("kind").isTextual()).isTrue();
                total += part.path("size").asLong();
            }
            assertThat(message.path("size").asLong()).isEqualTo(total);
        }
    }

    /** An independent walk: the url of anything under a member whose name mentions push. */
    private static void pushUrls(JsonNode node, boolean underPush, Set<String> out, int depth) {
        if (depth > ORACLE_MAX_DEPTH) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                boolean push = underPush || member.getKey().toLowerCase(Locale.ROOT).contains("push");
                if (push && member.getKey().equals("url") && member.getValue().isTextual()) {
                    out.add(member.getValue().textValue());
                }
                pushUrls(member.getValue(), push, out, depth + 1);
            }
        } else if (node.isArray()) {
            node.forEach(element -> pushUrls(element, underPush, out, depth + 1));
        }
    }
}
