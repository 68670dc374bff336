package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** GET /tasks query parameters read as Node's querystring reads them for the SDK's Express app (review N). */
class A2aQueryTest {

    @Test
    void contextIdIsReadAsNodeReadsIt() throws Exception {
        assertThat(A2aQuery.listTasksParams("contextId=ctx-1&pageSize=1").path("contextId").asText()).isEqualTo("ctx-1");
        assertThat(A2aQuery.listTasksParams("context%49d=ctx-1").path("contextId").asText()).as("a percent-encoded key").isEqualTo("ctx-1");
        assertThat(A2aQuery.listTasksParams("x=%zz&contextId=a+b%2Fc").path("contextId").asText()).isEqualTo("a b/c");
        assertThat(A2aQuery.listTasksParams("contextId").path("contextId").asText()).isEmpty();
        assertThat(A2aQuery.listTasksParams("contextId%=x").has("contextId")).as("a key that does not decode is not contextId").isFalse();
        assertThat(A2aQuery.listTasksParams(null).size()).isZero();
    }

    @Test
    void aContextTheGatewayCannotReadAsOneIsRefused() {
        assertThatThrownBy(() -> A2aQuery.listTasksParams("contextId=a&contextId=b")).isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> A2aQuery.listTasksParams("contextId=%zz")).isInstanceOf(A2aInvalidRequest.class);
    }
}
