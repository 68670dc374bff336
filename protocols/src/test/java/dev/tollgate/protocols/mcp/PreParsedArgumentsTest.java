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
            "{\"c\": {\"nested\": \"{\\\"a\\\":1}\"}}|null"})                      // only top-level arguments
    void readsTopLevelStringsAsJsonLoadsDoes(String arguments, String expected) throws Exception {
        JsonNode read = PreParsedArguments.of(JSON.readTree(arguments));
        if ("null".equals(expected)) {
            assertThat(read).isNull();
        } else {
            assertThat(read.toString()).isEqualTo(expected);
        }
    }
}
