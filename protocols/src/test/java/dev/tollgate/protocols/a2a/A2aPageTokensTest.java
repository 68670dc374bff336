package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ListTasks page tokens read where the JavaScript SDK reads them (JSON-RPC params, the HTTP+JSON query), review AD. */
class A2aPageTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode params(String json) throws Exception {
        return JSON.readTree(json);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "{\"pageToken\":\"abc\"}                     | pageToken  | \"abc\"",
            "{\"page_token\":\"abc\"}                    | page_token | \"abc\"",
            "{\"pageToken\":null,\"page_token\":\"abc\"} | page_token | \"abc\"",
            "{\"pageToken\":12}                          | pageToken  | 12",
            "{\"pageToken\":\"\"}                        | none       | none",
            "{\"pageToken\":null}                        | none       | none",
            "{\"pageSize\":1}                            | none       | none",
    })
    void paramsNameTheTokenTheSdkReads(String json, String member, String value) throws Exception {
        A2aPageTokens.Named named = A2aPageTokens.inParams(params(json));
        if (member == null) {
            assertThat(named).isNull();
        } else {
            assertThat(named.member()).isEqualTo(member);
            assertThat(named.value()).isEqualTo(JSON.readTree(value));
        }
    }

    @Test
    void bothNamesAtOnceAreRefused() {
        assertThatThrownBy(() -> A2aPageTokens.inParams(params("{\"pageToken\":\"\",\"page_token\":\"abc\"}"))).isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> A2aPageTokens.inParams(params("{\"pageToken\":\"a\",\"page_token\":\"a\"}"))).isInstanceOf(A2aInvalidRequest.class);
    }

    @Test
    void theQueryNamesTheTokenAsNodeReadsIt() throws Exception {
        assertThat(A2aPageTokens.inQuery("pageSize=2&pageToken=YS98Yg%3D%3D").value().textValue()).isEqualTo("YS98Yg==");
        assertThat(A2aPageTokens.inQuery("page%54oken=a+b").value().textValue()).as("a percent-encoded key").isEqualTo("a b");
        assertThat(A2aPageTokens.inQuery("page_token=x").member()).isEqualTo("page_token");
        assertThat(A2aPageTokens.inQuery("pageToken=")).as("empty: the first page").isNull();
        assertThat(A2aPageTokens.inQuery("pageToken%=x")).as("a key that does not decode").isNull();
        assertThat(A2aPageTokens.inQuery(null)).isNull();
        assertThatThrownBy(() -> A2aPageTokens.inQuery("pageToken=&pageToken=x")).isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> A2aPageTokens.inQuery("pageToken=a&page_token=b")).isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> A2aPageTokens.inQuery("pageToken=%zz")).isInstanceOf(A2aInvalidRequest.class);
    }

    @Test
    void theQueryForwardedCarriesTheAgentsTokenInPlaceOfTheClients() throws Exception {
        String query = A2aPageTokens.queryWith("pageSize=2&page%54oken=sealed&contextId=c", "pageToken", "MjAyNnx0LTE+/=");
        assertThat(query).isEqualTo("pageSize=2&contextId=c&pageToken=MjAyNnx0LTE%2B%2F%3D");
        assertThat(A2aPageTokens.inQuery(query).value().textValue()).isEqualTo("MjAyNnx0LTE+/=");
    }
}
