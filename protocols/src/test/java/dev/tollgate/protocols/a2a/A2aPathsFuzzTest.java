package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A2A route classification by verb and path, on arbitrary ones: never throws; JSON-RPC only for POST; an
 * operation's task id is a non-empty piece of the path; a wrong verb names the verbs the path takes, and the
 * verb sent is not among them. Input layout: the verb, a newline, the path.
 * Seeds: {@code A2aPathsFuzzTestInputs/classifiesAnyVerbAndPath/}.
 */
class A2aPathsFuzzTest {

    @FuzzTest
    void classifiesAnyVerbAndPath(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String verb = nl < 0 ? "POST" : text.substring(0, nl);
        String path = nl < 0 ? text : text.substring(nl + 1);

        A2aTarget target = A2aPaths.classify(verb, path);
        assertThat(target).isNotNull();
        if (target instanceof A2aTarget.JsonRpc) {
            assertThat(verb).isEqualTo("POST");
        } else if (target instanceof A2aTarget.Rest rest) {
            if (rest.taskId() != null) {
                assertThat(rest.taskId()).isNotEmpty();
                assertThat(path).contains(rest.taskId());
                assertThat(rest.taskId()).doesNotContain("/");
            }
            if (rest.configId() != null) {
                assertThat(rest.configId()).isNotEmpty().doesNotContain("/");
            }
        } else if (target instanceof A2aTarget.Invalid invalid) {
            assertThat(invalid.detail()).isNotBlank();
            if (invalid.allow() != null) {
                List<String> allowed = Arrays.stream(invalid.allow().split(",")).map(String::trim).toList();
                assertThat(allowed).isNotEmpty().doesNotContain(verb);
            }
        }
    }
}
