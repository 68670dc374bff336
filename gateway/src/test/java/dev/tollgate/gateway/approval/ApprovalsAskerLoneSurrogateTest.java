package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Review BR: the asker is stored in Redis as UTF-8, where "axid:acme/a/alice\uD800" would be "axid:acme/a/alice?". */
class ApprovalsAskerLoneSurrogateTest {

    @Test
    void anAskerWithAnUnpairedSurrogateIsRefused() {
        assertThatThrownBy(() -> Approvals.asker("axid:acme/a/alice\uD800", "s1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired");
        assertThat(Approvals.asker("axid:acme/a/alice?", "s1")).isEqualTo("axid:acme/a/alice?\ns1");
        assertThat(Approvals.asker(null, null)).isEqualTo("null\n");
    }
}
