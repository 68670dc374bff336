package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTypeTest {

    private static final Set<String> JSON = Set.of("application/json", "application/a2a+json");

    @ParameterizedTest
    @ValueSource(strings = {
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "application/json ; Charset=\"utf-8\"",
            "application/json; charset=utf-8;",
            "application/a2a+json; charset=utf-8",
            "application/json; profile=x",
            " application/json",
    })
    void acceptsJsonInUtf8(String contentType) {
        assertThat(JsonBodyType.check(contentType, JSON).accepted()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "application/json; charset=utf-7             | charset must be utf-8",
            "application/json; charset=\"utf-7\"         | charset must be utf-8",
            "application/json; CHARSET=UTF-7             | charset must be utf-8",
            "application/json; charset=utf-7-imap        | charset must be utf-8",
            "application/json; charset=utf8              | charset must be utf-8",
            "application/json; charset=utf-16            | charset must be utf-8",
            "application/json; charset=\"utf-8\\\"x\"     | charset must be utf-8",
            "application/json; charset=utf-8; charset=utf-7 | repeats the parameter",
            "application/json; charset=utf-8; CHARSET=utf-8 | repeats the parameter",
            "application/json charset=utf-7              | unexpected characters",
            "application/json; charset                   | malformed parameter",
            "application/json; charset=                  | no valid value",
            "application/json; charset=\"utf-8           | no valid value",
            "application/json, text/plain                | unexpected characters",
            "text/plain                                  | media type must be",
            "application/jsonx                           | media type must be",
            "application                                 | not a media type",
    })
    void refusesWhatAnUpstreamCouldReadDifferently(String contentType, String problem) {
        JsonBodyType.Verdict verdict = JsonBodyType.check(contentType.strip(), JSON);

        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.problem()).contains(problem.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/event-stream", "text/event-stream; charset=utf-8", "text/html"})
    void anyMediaTypeWhenOnlyTheCharsetMatters(String contentType) {
        assertThat(JsonBodyType.check(contentType, null).accepted()).isTrue();
        assertThat(JsonBodyType.check(contentType + "; charset=utf-16", null).accepted()).isFalse();
    }
}
