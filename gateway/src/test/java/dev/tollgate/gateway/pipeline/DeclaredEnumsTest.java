package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What a session was shown decides its calls; the route's latest list decides those of callers that never listed. */
class DeclaredEnumsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tools(String... projects) throws Exception {
        String values = String.join("\",\"", projects);
        return JSON.readTree("[{\"name\":\"deploy\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"project\":{\"enum\":[\""
                + values + "\"]}}}},{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}]");
    }

    private static JsonNode project(String name) throws Exception {
        return JSON.readTree("{\"project\":\"" + name + "\"}");
    }

    @Test
    void eachSessionIsHeldToWhatItWasShownAndOthersToTheRoutesLatestList() throws Exception {
        DeclaredEnums enums = new DeclaredEnums();
        enums.learn("r", "session-a", "caller-a", tools("alpha"));
        enums.learn("r", "session-b", "caller-b", tools("beta"));

        assertThat(enums.outside("r", "session-a", () -> "caller-a", "deploy", project("alpha"))).isNull();
        assertThat(enums.outside("r", "session-a", () -> "caller-a", "deploy", project("beta"))).isEqualTo("/project");
        assertThat(enums.outside("r", "session-b", () -> "caller-b", "deploy", project("beta"))).isNull();
        assertThat(enums.outside("r", "session-c", () -> "caller-c", "deploy", project("alpha")))
                .as("never listed: the route's latest list (b's)").isEqualTo("/project");
        assertThat(enums.outside("r", null, () -> "caller-a", "deploy", project("alpha")))
                .as("no session: the caller's own list, none here, so the route's").isEqualTo("/project");
        assertThat(enums.outside("other-route", "session-a", () -> "caller-a", "deploy", project("x"))).as("never listed on that route").isNull();
        assertThat(enums.outside("r", "session-a", () -> "caller-a", "echo", project("x"))).as("a tool naming no values").isNull();
    }

    @Test
    void withoutSessionsEachCallerIsHeldToItsOwnList() throws Exception {
        DeclaredEnums enums = new DeclaredEnums();
        enums.learn("r", null, "caller-a", tools("alpha"));
        enums.learn("r", null, "caller-b", tools("beta"));

        assertThat(enums.outside("r", null, () -> "caller-a", "deploy", project("alpha"))).isNull();
        assertThat(enums.outside("r", null, () -> "caller-b", "deploy", project("alpha"))).isEqualTo("/project");
    }

    @Test
    void aToolRelistedWithoutItsEnumIsNoLongerChecked() throws Exception {
        DeclaredEnums enums = new DeclaredEnums();
        enums.learn("r", "s", "c", tools("alpha"));
        enums.learn("r", "s", "c", JSON.readTree("[{\"name\":\"deploy\",\"inputSchema\":{\"type\":\"object\"}}]"));

        assertThat(enums.outside("r", "s", () -> "c", "deploy", project("anything"))).isNull();
        assertThat(enums.outside("r", "other", () -> "c", "deploy", project("anything"))).isNull();
    }
}
