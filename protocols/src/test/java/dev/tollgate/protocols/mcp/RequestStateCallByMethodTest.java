package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Review BT: a requestState is bound to what the call names by its method, as the Mcp-Name check reads it. */
class RequestStateCallByMethodTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RequestStateCall of(String method, String params) throws Exception {
        return RequestStateCall.of(method, JSON.readTree(params));
    }

    @Test
    void aResourceReadIsBoundToItsUriWhateverNameItCarries() throws Exception {
        assertThat(of("resources/read", "{\"uri\":\"file:///reports/q3\",\"name\":\"r\"}").target()).isEqualTo("file:///reports/q3");
        assertThat(of("resources/read", "{\"uri\":\"file:///reports/q3\",\"name\":\"r\"}").bytes())
                .isNotEqualTo(of("resources/read", "{\"uri\":\"file:///reports/public\",\"name\":\"r\"}").bytes());
        assertThat(of("resources/read", "{\"name\":\"r\"}").target()).isNull();
    }

    @Test
    void aToolOrAPromptIsBoundToItsName() throws Exception {
        assertThat(of("tools/call", "{\"name\":\"t\",\"uri\":\"file:///a\"}").target()).isEqualTo("t");
        assertThat(of("prompts/get", "{\"name\":\"p\",\"uri\":\"file:///a\"}").target()).isEqualTo("p");
        assertThat(of("tools/call", "{\"uri\":\"file:///a\"}").target()).isNull();
    }
}
