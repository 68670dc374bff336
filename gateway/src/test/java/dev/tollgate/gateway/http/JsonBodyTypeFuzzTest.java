package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Content-Type checking on arbitrary header values, against a second reading written from the RFC 9110
 * grammar with regular expressions: both accept exactly the same values. Accepted means: one of the route's
 * media types, parameters well-formed and not repeated, and no charset other than utf-8, so the only reading
 * of the body left is UTF-8. Never throws. Input: the header value as UTF-8; with a leading {@code *} the
 * route accepts any media type (the answer-side check). Seeds: {@code JsonBodyTypeFuzzTestInputs/acceptsOnlyJsonInUtf8/}.
 */
class JsonBodyTypeFuzzTest {

    private static final Set<String> JSON = Set.of("application/json", "application/a2a+json");
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"((?:[^\"\\\\\\x00-\\x08\\x0a-\\x1f\\x7f]|\\\\[^\\x00-\\x08\\x0a-\\x1f\\x7f])*)\"";
    private static final Pattern MEDIA_TYPE = Pattern.compile("[ \\t]*(" + TOKEN + ")/(" + TOKEN + ")");
    private static final Pattern PARAMETER = Pattern.compile("\\G[ \\t]*;[ \\t]*(" + TOKEN + ")=(?:(" + TOKEN + ")|" + QUOTED + ")");
    private static final Pattern END = Pattern.compile("\\G[ \\t]*(?:;[ \\t]*)?");

    @FuzzTest
    void acceptsOnlyJsonInUtf8(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        Set<String> accepted = JSON;
        if (header.startsWith("*")) {
            header = header.substring(1);
            accepted = null;
        }
        JsonBodyType.Verdict verdict = JsonBodyType.check(header, accepted);
        assertThat(verdict.accepted()).as("accepted by the RFC 9110 reading: '" + header + "'").isEqualTo(grammarAccepts(header, accepted));
        if (verdict.accepted()) {
            assertThat(verdict.mediaType()).isEqualTo(verdict.mediaType().toLowerCase(Locale.ROOT));
            if (accepted != null) {
                assertThat(accepted).contains(verdict.mediaType());
            }
        } else {
            assertThat(verdict.problem()).isNotBlank();
        }
    }

    static boolean grammarAccepts(String header, Set<String> accepted) {
        Matcher type = MEDIA_TYPE.matcher(header);
        if (!type.lookingAt()) {
            return false;
        }
        String mediaType = (type.group(1) + "/" + type.group(2)).toLowerCase(Locale.ROOT);
        if (accepted != null && !accepted.contains(mediaType)) {
            return false;
        }
        Set<String> names = new HashSet<>();
        int at = type.end();
        Matcher parameter = PARAMETER.matcher(header);
        while (parameter.find(at)) {
            String name = parameter.group(1).toLowerCase(Locale.ROOT);
            String value = parameter.group(2) != null ? parameter.group(2) : parameter.group(3).replaceAll("\\\\(.)", "$1");
            if (value.isEmpty() || !names.add(name) || name.equals("charset") && !value.equalsIgnoreCase("utf-8")) {
                return false;
            }
            at = parameter.end();
        }
        Matcher end = END.matcher(header);
        return end.find(at) && end.end() == header.length();
    }
}
