package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The response filter's reading of requests carried inside an MCP answer (inputRequests of an input_required
 * result or of a task it holds, URL elicitations of a -32042 error), on arbitrary answers: the list or
 * {@link EmbeddedInputRequests.Malformed}, never another exception; every request a client would run from
 * the answer (found here by a separate walk) is in the list, so none reaches the client undecided.
 * Input: the answer's JSON. Seeds: {@code EmbeddedInputRequestsFuzzTestInputs/findsEveryEmbeddedRequest/}.
 */
class EmbeddedInputRequestsFuzzTest {

    private static final StrictJsonParser JSON = new StrictJsonParser();

    @FuzzTest
    void findsEveryEmbeddedRequest(byte[] body) {
        JsonNode answer;
        try {
            answer = JSON.parse(body);
        } catch (JsonRejection e) {
            return;
        }
        List<EmbeddedInputRequests.Embedded> found;
        try {
            found = EmbeddedInputRequests.in(answer);
        } catch (EmbeddedInputRequests.Malformed e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        List<String> foundKeys = new ArrayList<>();
        for (EmbeddedInputRequests.Embedded embedded : found) {
            assertThat(embedded.key()).isNotNull();
            assertThat(embedded.method()).isNotNull();
            foundKeys.add(embedded.key() + " " + embedded.method());
        }
        assertThat(foundKeys).containsAll(expected(answer));
        JsonNode error = answer.get("error");
        if (error != null && error.path("code").isInt() && error.path("code").intValue() == EmbeddedInputRequests.URL_ELICITATION_REQUIRED) {
            long elicitations = found.stream().filter(e -> e.method().equals("elicitation/create")).count();
            assertThat(elicitations).isGreaterThanOrEqualTo(error.path("data").path("elicitations").size());
        }
    }

    /** A separate walk: key and method of every request under result.inputRequests and result.*.inputRequests. */
    private static List<String> expected(JsonNode answer) {
        List<String> out = new ArrayList<>();
        JsonNode result = answer.get("result");
        if (result == null || !result.isObject()) {
            return out;
        }
        requests(result.get("inputRequests"), out);
        result.forEach(member -> requests(member.isObject() ? member.get("inputRequests") : null, out));
        return out;
    }

    private static void requests(JsonNode inputRequests, List<String> out) {
        if (inputRequests == null || !inputRequests.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = inputRequests.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getValue().path("method").isTextual()) {
                out.add(entry.getKey() + " " + entry.getValue().get("method").textValue());
            }
        }
    }
}
