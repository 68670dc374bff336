package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which listing a ListTasks request asks for, the digest its page tokens are sealed with (review AH). */
class A2aListingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] params(String json) throws Exception {
        return A2aListing.ofParams(JSON.readTree(json));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "{}                                                  | {\"pageSize\":5,\"pageToken\":\"t\",\"historyLength\":1,\"includeArtifacts\":true}",
            "{\"status\":\"TASK_STATE_WORKING\",\"pageSize\":1}  | {\"status\":\"TASK_STATE_WORKING\",\"page_size\":9,\"page_token\":\"x\"}",
            "{\"contextId\":\"c\"}                               | {\"context_id\":\"c\"}",
            "{\"contextId\":\"c\"}                               | {\"contextId\":\"c\",\"context_id\":\"c\"}",
            "{\"contextId\":\"c\"}                               | {\"contextId\":\"c\",\"tenant\":null}",
            "{\"contextId\":\"c\"}                               | {\"contextId\":\"c\",\"metadata\":{\"no\":\"ListTasks parameter\"}}",
            "{\"statusTimestampAfter\":\"2026-01-01T00:00:00Z\"} | {\"status_timestamp_after\":\"2026-01-01T00:00:00Z\"}",
    })
    void theSameListingHowEverItIsSpeltOrPaged(String one, String other) throws Exception {
        assertThat(params(one)).isEqualTo(params(other));
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"status\":\"TASK_STATE_WORKING\"}                 | {\"status\":\"TASK_STATE_COMPLETED\"}",
            "{}                                                  | {\"status\":\"TASK_STATE_COMPLETED\"}",
            "{\"status\":3}                                      | {\"status\":\"3\"}",
            "{\"contextId\":\"a\"}                               | {\"contextId\":\"b\"}",
            "{}                                                  | {\"tenant\":\"t1\"}",
            "{}                                                  | {\"statusTimestampAfter\":\"2026-01-01T00:00:00Z\"}",
            "{\"statusTimestampAfter\":\"2026-01-01T00:00:00Z\"} | {\"statusTimestampAfter\":\"2026-01-01T00:00:00Z\",\"status_timestamp_after\":\"2000-01-01T00:00:00Z\"}",
    })
    void anotherListing(String one, String other) throws Exception {
        assertThat(params(one)).isNotEqualTo(params(other));
    }

    @Test
    void theQueryIsReadPairByPairWithItsPath() {
        byte[] plain = A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_WORKING&pageSize=1");
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "pageSize=7&&status=TASK_STATE_WORKING&pageToken=x&includeArtifacts=true")).isEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "stat%75s=TASK_STATE_WORKING")).as("a percent-encoded key").isEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_COMPLETED")).isNotEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/t1/tasks", "status=TASK_STATE_WORKING")).as("a path tenant").isNotEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_WORKING&status=TASK_STATE_WORKING")).as("Node: an array")
                .isNotEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_WORKING&tenant=t1")).isNotEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_WORKING&%zz=1&x=1&_=1733500000")).as("no ListTasks parameter")
                .isEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "status=TASK_STATE_WORKING&status_timestamp_after=2000-01-01T00:00:00Z"))
                .as("the spelling other agents read").isNotEqualTo(plain);
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "contextId=%zz")).isNotEqualTo(A2aListing.ofQuery("/a2a/rest/tasks", "contextId=%25zz"));
        assertThat(A2aListing.ofQuery("/a2a/rest/tasks", "")).as("a page asked over another binding")
                .isNotEqualTo(A2aListing.ofParams(JSON.createObjectNode()));
    }
}
