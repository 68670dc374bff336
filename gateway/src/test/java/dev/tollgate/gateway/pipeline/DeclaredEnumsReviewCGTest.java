package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Review CG reproducer: a server that lists a tool per caller (an enum of the caller's own projects for most callers,
 * a free string for an admin). The admin's list names no values for the tool; the route had none listed before, so
 * nothing is kept for the admin's session or caller. Another caller's later list puts its enum route-wide, and the
 * admin's call, checked against its own session's list, falls back to the other caller's: a valid call refused, chosen
 * by another caller (high).
 */
class DeclaredEnumsReviewCGTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tools(String projectSchema) throws Exception {
        return JSON.readTree("[{\"name\":\"deploy\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"project\":"
                + projectSchema + "}}}]");
    }

    @Test
    void aCallerWhoseListNamesNoValuesIsNotHeldToAnotherCallersLaterList() throws Exception {
        DeclaredEnums enums = new DeclaredEnums();
        enums.learn("r", "admin-session", "admin", tools("{\"type\":\"string\"}"));
        JsonNode call = JSON.readTree("{\"project\":\"anything\"}");
        assertThat(enums.outside("r", "admin-session", () -> "admin", "deploy", call)).as("control: admin's own list").isNull();

        enums.learn("r", "mallory-session", "mallory", tools("{\"enum\":[\"m1\"]}"));
        assertThat(enums.outside("r", "mallory-session", () -> "mallory", "deploy", call)).as("control: mallory's list")
                .isEqualTo("/project");
        assertThat(enums.outside("r", "admin-session", () -> "admin", "deploy", call))
                .as("the admin's session listed the tool with no closed set").isNull();
    }
}
