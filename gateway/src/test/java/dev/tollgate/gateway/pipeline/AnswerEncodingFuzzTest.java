package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.gateway.http.JsonBodyType;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Whether an upstream's answer can be read as its client reads it, on arbitrary headers: never throws; an
 * answer passes only without a real Content-Encoding, with at most one Content-Type, whose parameters
 * carry no charset but utf-8, and which names text/event-stream only as its media type (or not at all).
 * Input: header lines {@code Name: value}; a Vert.x header map, no server. Seeds:
 * {@code AnswerEncodingFuzzTestInputs/passesOnlyAnswersReadAsTheClientReadsThem/}.
 */
class AnswerEncodingFuzzTest {

    @FuzzTest
    void passesOnlyAnswersReadAsTheClientReadsThem(byte[] input) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        String problem = AnswerEncoding.problem(headers);
        boolean eventStream = AnswerEncoding.isEventStream(headers.get("Content-Type"));
        if (problem != null) {
            assertThat(problem).isNotBlank();
            return;
        }
        for (String encoding : headers.getAll("Content-Encoding")) {
            assertThat(encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")).as("Content-Encoding " + encoding).isTrue();
        }
        List<String> types = headers.getAll("Content-Type");
        assertThat(types.size()).isLessThanOrEqualTo(1);
        if (!types.isEmpty()) {
            String type = types.get(0);
            assertThat(JsonBodyType.check(type, null).accepted()).isTrue();
            assertThat(eventStream || !type.toLowerCase(Locale.ROOT).contains("text/event-stream")).isTrue();
        }
    }
}
