package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.Identity;
import dev.tollgate.policy.TenantKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AbandonedHoldsTest {

    private static final long HOLD = 1_000;
    private final List<String> givenBack = new ArrayList<>();
    private final AbandonedHolds<String> holds = new AbandonedHolds<>(10, 4, HOLD, givenBack::add);

    private static List<String> keys(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void aShareGivenBackPastItsBoundStopsCountingAgainstTheGlobalBound() {
        holds.hold(List.of("victim"), "acme", 0);
        for (int b = 0; b < 5; b++) {
            holds.hold(keys("evil" + b + "-", 4), "evil", b + 1);
        }
        // evil abandoned 20, past the global 10: only its own share (4) stays, and nothing of acme's is given back
        assertThat(holds.size()).isEqualTo(1 + 4);
        assertThat(givenBack).hasSize(16).doesNotContain("victim").allMatch(key -> key.startsWith("evil"));
        assertThat(givenBack.subList(0, 4)).containsExactly("evil0-0", "evil0-1", "evil0-2", "evil0-3");
    }

    @Test
    void pastTheGlobalBoundTheLargestShareGivesBackItsOldest() {
        holds.hold(List.of("victim"), "acme", 0);
        holds.hold(keys("a", 4), "a", 1);
        holds.hold(keys("b", 3), "b", 2);
        holds.hold(keys("c", 3), "c", 3); // 11 held: a (4) is the largest
        assertThat(givenBack).containsExactly("a0");
        holds.hold(keys("d", 2), "d", 4); // 12 held: a, b, c hold 3 each, the first of them gives back, then the next
        assertThat(givenBack).containsExactly("a0", "a1", "b0");
        assertThat(holds.size()).isEqualTo(10);
    }

    @Test
    void holdsEndOldestFirstAtTheirTimeAndTheirSharesAreForgotten() {
        holds.hold(keys("x", 2), "acme", 0);
        holds.hold(keys("y", 1), "other", 10);
        holds.giveBackExpired(HOLD - 1);
        assertThat(givenBack).isEmpty();
        holds.giveBackExpired(HOLD);
        assertThat(givenBack).containsExactly("x0", "x1");
        holds.hold(keys("z", 4), "acme", HOLD); // a fresh share for acme: its earlier holds no longer count
        assertThat(givenBack).containsExactly("x0", "x1");
        holds.giveBackExpired(HOLD + 10);
        assertThat(givenBack).containsExactly("x0", "x1", "y0");
        assertThat(holds).containsExactly("z0", "z1", "z2", "z3");
    }

    /** Review AI: the stage counts abandoned ids per TenantKey, so one tenant's sub-users fill one share. */
    @Test
    void subUsersOfOneTenantFillOneShare() {
        SessionRequestIds ids = new SessionRequestIds();
        for (int u = 0; u < 2; u++) {
            String tenant = TenantKey.of(new Identity(null, "evil", "bot", "run-1", "user-" + u, null, null, List.of(), Map.of()));
            List<com.fasterxml.jackson.databind.JsonNode> batch = new ArrayList<>();
            for (int i = 0; i < SessionRequestIds.MAX_ABANDONED_PER_CALLER; i++) {
                batch.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(u + "-" + i));
            }
            ((SessionRequestIds.Taken) ids.claim("route", "s", tenant, batch,
                    java.util.Collections.nCopies(batch.size(), SessionRequestIds.NOT_A_TOOL_CALL))).abandon().run();
        }
        assertThat(ids.size()).as("the second sub-user's batch pushed the first's out of the tenant's one share")
                .isEqualTo(SessionRequestIds.MAX_ABANDONED_PER_CALLER);
        assertThat(ids.claim("route", "s", List.of(com.fasterxml.jackson.databind.node.TextNode.valueOf("0-0"))))
                .isInstanceOf(SessionRequestIds.Taken.class);
    }
}
