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
        // Where the client wrote it, its key as written, every other byte kept (review AH: appended, it could fall past
        // the 1000 pairs Node reads).
        String query = A2aPageTokens.queryWith("pageSize=2&page%54oken=sealed&contextId=c", "MjAyNnx0LTE+/=");
        assertThat(query).isEqualTo("pageSize=2&page%54oken=MjAyNnx0LTE%2B%2F%3D&contextId=c");
        assertThat(A2aPageTokens.inQuery(query).value().textValue()).isEqualTo("MjAyNnx0LTE+/=");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "pageToken=s                       | pageToken=T",
            "pageToken=s&                      | pageToken=T&",
            "&&pageToken=s&&&                  | &&pageToken=T&&&",
            "a=1&&page_token=s&b=%41&c         | a=1&&page_token=T&b=%41&c",
            "x=1&pageToken=s=s&y=a+b           | x=1&pageToken=T&y=a+b",
    })
    void theTokenIsReplacedWhereItStandsAndEveryOtherByteKept(String client, String forwarded) throws Exception {
        assertThat(A2aPageTokens.queryWith(client, "T")).isEqualTo(forwarded);
    }

    @Test
    void aTokenPairWithoutEqualsSignIsGivenOne() throws Exception {
        // "pageToken" alone is read as "" (the first page), so the stage never forwards it; rewritten anyway, it is well formed.
        assertThat(A2aPageTokens.queryWith("a=1&pageToken&b=2", "T")).isEqualTo("a=1&pageToken=T&b=2");
    }

    @Test
    void aTokenTheAgentWouldNotReadPastNodesCutIsRefused() throws Exception {
        String beforeCut = "pageToken=s" + "&".repeat(999) + "x=1";
        assertThat(A2aPageTokens.inQuery(beforeCut).value().textValue()).as("pair 1 of 1001").isEqualTo("s");
        assertThat(A2aPageTokens.queryWith(beforeCut, "T")).isEqualTo("pageToken=T" + "&".repeat(999) + "x=1");
        String pastCut = "&".repeat(1000) + "pageToken=s";
        assertThatThrownBy(() -> A2aPageTokens.inQuery(pastCut)).isInstanceOf(A2aInvalidRequest.class)
                .hasMessageContaining("after its first 1000 pairs");
        assertThat(A2aPageTokens.inQuery("&".repeat(999) + "pageToken=s").value().textValue()).as("pair 1000").isEqualTo("s");
    }
}
