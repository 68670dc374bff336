package dev.tollgate.policy.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArgumentSizeCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {
            "{}", "[]", "{\"a\":1}", "{\"a\":[1,2.5,-3e10,true,false,null],\"b\":{\"c\":\"d\"}}",
            "{\"quote\":\"say \\\"hi\\\" \\\\ there\"}", "{\"ctl\":\"tab\\tnl\\ncr\\rbell\\u0007nul\\u0000\"}",
            "{\"utf8\":\"é ü 日本語 😀\"}", "{\"big\":123456789012345678901234567890,\"dec\":0.10000000000000000000001}",
"[[[[\"deep\"]]]]", "{\"k\\\"ey\":\"v\"}"})
    void countsTheSameBytesAsSerializing(String text) throws Exception {
        JsonNode node = JSON.readTree(text);
        int serialized = node.toString().getBytes(StandardCharsets.UTF_8).length;

        assertThat(ArgumentSizeCheck.jsonSize(node, Long.MAX_VALUE)).isEqualTo(serialized);
    }

    @Test
    void stopsCountingOnceOverTheLimit() throws Exception {
        JsonNode node = JSON.readTree("[\"" + "x".repeat(100) + "\",\"" + "y".repeat(100) + "\"]");

        long size = ArgumentSizeCheck.jsonSize(node, 10);

        assertThat(size).isGreaterThan(10).isLessThan(node.toString().length());
    }

    @Test
    void holdsOnlyAboveMaxBytes() throws Exception {
        CompiledCheck check = new ArgumentSizeCheck().compile(JSON.readTree("{\"max_bytes\": 9}"));

        assertThat(check.test(call("{\"a\":\"1\"}"))).as("9 bytes").isFalse();
        assertThat(check.test(call("{\"a\":\"12\"}"))).as("10 bytes").isTrue();
        assertThat(check.test(call(null))).as("no arguments").isFalse();
    }

    @Test
    void rejectsMissingNegativeOrUnknownArguments() throws Exception {
        ArgumentSizeCheck check = new ArgumentSizeCheck();

        assertThatThrownBy(() -> check.compile(null)).hasMessageContaining("max_bytes");
        assertThatThrownBy(() -> check.compile(JSON.readTree("{\"max_bytes\": -1}"))).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> check.compile(JSON.readTree("{\"max_bytes\": \"10\"}"))).hasMessageContaining("integer");
        assertThatThrownBy(() -> check.compile(JSON.readTree("{\"max_bytes\": 10, \"min\": 1}"))).hasMessageContaining("only max_bytes");
    }

    private static PolicyRequest call(String args) throws Exception {
        JsonNode arguments = args == null ? null : JSON.readTree(args);
        return new PolicyRequest(CallDescription.mcpToolCall("r", "t", arguments), Identity.ANONYMOUS, Instant.EPOCH);
    }
}
