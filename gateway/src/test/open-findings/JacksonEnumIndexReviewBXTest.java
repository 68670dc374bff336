package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review BX, finding 4: a Java tool whose parameter is an enum (a Spring AI {@code @Tool} method, or Java MCP SDK tool
 * code binding its argument map to a record with {@code ObjectMapper.convertValue}) reads an integer as the enum
 * constant of that ordinal: Jackson's default ({@code FAIL_ON_NUMBERS_FOR_ENUMS} is off). A rule denying
 * {@code mode: "DESTROY"} lets {@code mode: 1} through, and the tool destroys. The string {@code "1"} is read the same way,
 * and Jackson trims an enum name it does not find ({@code "DESTROY "}, {@code " DESTROY"}). Reproducer: fails on the
 * current code.
 */
class JacksonEnumIndexReviewBXTest {

    enum Mode { SAFE, DESTROY }

    record WipeArguments(String disk, Mode mode) {
    }

    @Test
    void anEnumOrdinalOfADeniedConstantIsDenied() {
        // What the upstream acts on: Jackson's default binding reads 1 as DESTROY.
        ObjectMapper jackson = new ObjectMapper();
        List<Object> modes = List.of(1, "1", "DESTROY ", " DESTROY");
        for (Object mode : modes) {
            assertThat(jackson.convertValue(Map.of("disk", "sda", "mode", mode), WipeArguments.class).mode()).as("Jackson on " + mode)
                    .isEqualTo(Mode.DESTROY);
        }

        CompiledPolicy policy = PolicyFixtures.rules("allow", """
                  - name: no-destroy
                    condition:
                      all:
                        - tool: wipe
                        - arg: {path: /mode, in: ["DESTROY"]}
                    action: deny
                    message: No destroying wipes.
                """);
        assertThat(policy.evaluate(toolCall("wipe", "{\"disk\":\"sda\",\"mode\":\"DESTROY\"}")).isDenied()).as("control").isTrue();
        List<String> passed = new java.util.ArrayList<>();
        for (Object mode : modes) {
            String json = mode instanceof String text ? "\"" + text + "\"" : mode.toString();
            Decision decision = policy.evaluate(toolCall("wipe", "{\"disk\":\"sda\",\"mode\":" + json + "}"));
            if (!decision.isDenied()) {
                passed.add(json);
            }
        }
        assertThat(passed).as("modes Jackson binds as DESTROY that the rule let through").isEmpty();
    }
}
