package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Query pairs as Node's querystring splits them, with where each lies (review AH). */
class A2aQueryPairsTest {

    @Test
    void everyPairIsKeptEmptyAndTrailingOnesToo() {
        List<A2aQueryPairs.Pair> pairs = A2aQueryPairs.of("a=1&&b&c=x=y&");
        assertThat(pairs).extracting(A2aQueryPairs.Pair::key).containsExactly("a", "", "b", "c", "");
        assertThat(pairs).extracting(A2aQueryPairs.Pair::position).containsExactly(1, 2, 3, 4, 5);
        assertThat(pairs.get(2).rawValue("a=1&&b&c=x=y&")).as("no '=': Node reads \"\"").isEmpty();
        assertThat(pairs.get(3).rawValue("a=1&&b&c=x=y&")).as("after the first '='").isEqualTo("x=y");
        assertThat(A2aQueryPairs.of("")).isEmpty();
        assertThat(A2aQueryPairs.of(null)).isEmpty();
    }

    @Test
    void keysAreDecodedAsNodeDecodesThemAndAnUndecodableOneIsNoName() throws Exception {
        List<A2aQueryPairs.Pair> pairs = A2aQueryPairs.of("context%49d=a+b&%zz=1");
        assertThat(pairs.get(0).key()).isEqualTo("contextId");
        assertThat(pairs.get(0).value("context%49d=a+b&%zz=1")).isEqualTo("a b");
        assertThat(pairs.get(1).key()).isNull();
    }

    @Test
    void aKeyTheGatewayReadsPastNodesCutIsRefusedAndAnyOtherKeyThereIsNot() throws Exception {
        List<String> read = List.of("contextId");
        A2aQueryPairs.requireReadByNode(A2aQueryPairs.of("&".repeat(999) + "contextId=c"), read); // pair 1000: read by Node
        A2aQueryPairs.requireReadByNode(A2aQueryPairs.of("contextId=c" + "&".repeat(1000) + "x=1"), read);
        assertThatThrownBy(() -> A2aQueryPairs.requireReadByNode(A2aQueryPairs.of("&".repeat(1000) + "contextId=c"), read))
                .isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("names contextId after its first 1000 pairs");
        for (String key : List.of("context%49d", "status", "statusTimestampAfter", "status_timestamp_after", "tenant", "context_id", "page_token")) {
            assertThatThrownBy(() -> A2aQuery.listTasksParams("pageSize=1" + "&".repeat(1000) + key + "=c")).as(key)
                    .isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("after its first 1000 pairs");
        }
        assertThat(A2aQuery.listTasksParams("pageSize=1" + "&".repeat(1000) + "x=1&pageSize=2")).as("keys the gateway does not read").isEmpty();
    }
}
