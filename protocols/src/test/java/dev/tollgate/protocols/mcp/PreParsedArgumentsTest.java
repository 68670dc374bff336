package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FastMCP's pre_parse_json reading of a call's arguments (json.loads on top-level strings, dict/list/None kept). */
class PreParsedArgumentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"config\": \"{\\\"targetEnv\\\": \\\"prod\\\"}\"}|{\"config\":{\"targetEnv\":\"prod\"}}",
            "{\"paths\": \" [\\\"/etc/passwd\\\"]\\n\", \"n\": 1}|{\"paths\":[\"/etc/passwd\"],\"n\":1}",
            "{\"c\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}|{\"c\":{\"a\":2}}",                 // json.loads keeps the last duplicate
            "{\"c\": \"{\\\"x\\\": NaN}\"}|{\"c\":{\"x\":\"NaN\"}}",    // a double NaN (Jackson prints it quoted)
            "{\"c\": \"null\"}|{\"c\":null}",
            "{\"c\": \"\\\"quoted\\\"\", \"d\": \"12\", \"e\": \"true\"}|null",   // str, int and bool (an int) are skipped
            "{\"c\": \"{not json}\", \"d\": \"[1] x\", \"e\": \"\\u00a0[1]\"}|null", // raises: kept as sent
            "{\"c\": {\"nested\": \"{\\\"a\\\":1}\"}}|null",                      // only top-level arguments
            "{\"c\": \"{\\\"a\\\": 1e9999999999, \\\"b\\\": -1E400}\"}|{\"c\":{\"a\":\"Infinity\",\"b\":\"-Infinity\"}}", // Python's float: inf
            "{\"c\": \"[1, 2.5, 1e2]\"}|{\"c\":[1,2.5,100.0]}",
            "{\"c\": \"[1] [2]\", \"d\": \"[1\"}|null"})                            // extra data, unclosed: json.loads raises

    void readsTopLevelStringsAsJsonLoadsDoes(String arguments, String expected) throws Exception {
        JsonNode read = PreParsedArguments.of(JSON.readTree(arguments));
        if ("null".equals(expected)) {
            assertThat(read).isNull();
        } else {
            assertThat(read.toString()).isEqualTo(expected);
        }
    }

    /** Review RB: what json.loads reads past Jackson's default limits is read (numbers up to Python's 4300 digits, long keys). */
    @org.junit.jupiter.api.Test
    void readsNumbersAndNamesPastJacksonsDefaultLimitsAsPythonDoes() throws Exception {
        String digits = "7".repeat(PreParsedArguments.PYTHON_MAX_INT_DIGITS);
        String name = "n".repeat(50_001);
        com.fasterxml.jackson.databind.node.ObjectNode arguments = JSON.createObjectNode()
                .put("c", "{\"a\": -" + digits + ", \"" + name + "\": 0." + "1".repeat(5000) + "}");
        JsonNode read = PreParsedArguments.of(arguments);
        assertThat(read.at("/c/a").bigIntegerValue()).isEqualTo(new java.math.BigInteger("-" + digits));
        assertThat(read.get("c").get(name).doubleValue()).isEqualTo(0.1111111111111111);
        // One digit more and Python's int() raises ValueError (FastMCP does not catch it: nothing runs).
        assertThat(PreParsedArguments.of(JSON.createObjectNode().put("c", "[" + digits + "7]"))).isNull();
    }

    /** Review RB: a text longer than 8M characters (a route may allow bodies that large) is read too, not only decided as sent. */
    @org.junit.jupiter.api.Test
    void readsATextOfAnyLengthTheBodyLimitLetThrough() {
        String text = "{\"targetEnv\": \"prod\", \"pad\": \"" + "x".repeat(9 * 1024 * 1024) + "\"}";
        JsonNode read = PreParsedArguments.of(JSON.createObjectNode().put("config", text));
        assertThat(read).isNotNull();
        assertThat(read.at("/config/targetEnv").asText()).isEqualTo("prod");
    }
}
