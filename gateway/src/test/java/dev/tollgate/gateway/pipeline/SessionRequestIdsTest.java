package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionRequestIdsTest {

    private final SessionRequestIds ids = new SessionRequestIds();

    private SessionRequestIds.Claim claim(String session, JsonNode... requestIds) {
        return ids.claim("route", session, List.of(requestIds));
    }

    @Test
    void anIdIsTakenUntilReleasedAndOnlyInItsOwnSession() {
        SessionRequestIds.Taken first = (SessionRequestIds.Taken) claim("s", IntNode.valueOf(1));

        assertThat(claim("s", IntNode.valueOf(1))).isEqualTo(new SessionRequestIds.InFlight(IntNode.valueOf(1)));
        assertThat(claim("s", TextNode.valueOf("1"))).as("the string \"1\" is another id").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("other", IntNode.valueOf(1))).isInstanceOf(SessionRequestIds.Taken.class);
        first.release().run();
        assertThat(claim("s", IntNode.valueOf(1))).isInstanceOf(SessionRequestIds.Taken.class);
    }

    @Test
    void theToolOfACallInFlightOrAbandonedIsKnownByItsIdUntilItIsGivenBack() {
        SessionRequestIds.Taken call = (SessionRequestIds.Taken) ids.claim("route", "s", List.of(IntNode.valueOf(1), IntNode.valueOf(2)),
                List.of("fetch_page", SessionRequestIds.NOT_A_TOOL_CALL));
        assertThat(ids.pendingTool("route", "s", IntNode.valueOf(1))).isEqualTo("fetch_page");
        assertThat(ids.pendingTool("route", "s", IntNode.valueOf(2))).as("not a tools/call").isNull();
        assertThat(ids.pendingTool("route", "other", IntNode.valueOf(1))).as("another session's").isNull();
        call.abandon().run();
        assertThat(ids.pendingTool("route", "s", IntNode.valueOf(1))).as("its result may still come").isEqualTo("fetch_page");
        SessionRequestIds.Taken answered = (SessionRequestIds.Taken) ids.claim("route", "s", List.of(IntNode.valueOf(3)), List.of("echo"));
        answered.release().run();
        assertThat(ids.pendingTool("route", "s", IntNode.valueOf(3))).isNull();
    }

    @Test
    void aRefusedCallTakesNoneOfItsIds() {
        claim("s", IntNode.valueOf(2));

        assertThat(claim("s", IntNode.valueOf(3), IntNode.valueOf(2))).isEqualTo(new SessionRequestIds.InFlight(IntNode.valueOf(2)));
        assertThat(claim("s", IntNode.valueOf(3))).as("3 was given back with the refusal").isInstanceOf(SessionRequestIds.Taken.class);
    }

    @Test
    void anAbandonedIdStaysTakenAndTheLargestSharesOldestIsGivenBackBeyondTheCap() {
        ((SessionRequestIds.Taken) claim("s", IntNode.valueOf(0))).abandon().run();
        assertThat(claim("s", IntNode.valueOf(0))).isInstanceOf(SessionRequestIds.InFlight.class);

        for (int i = 1; i <= SessionRequestIds.MAX_ABANDONED; i++) {
            // many callers, each within its share (MAX_ABANDONED_PER_CALLER), together past the cap; caller-1 the largest
            String caller = i <= 10 ? "caller-1" : "caller-" + i % 20;
            ((SessionRequestIds.Taken) ids.claim("route", "s", caller, List.of(IntNode.valueOf(i)),
                    List.of(SessionRequestIds.NOT_A_TOOL_CALL))).abandon().run();
        }

        assertThat(ids.size()).isEqualTo(SessionRequestIds.MAX_ABANDONED);
        // Review AI: the global cap takes from whoever holds the most, not the oldest of anyone.
        assertThat(claim("s", IntNode.valueOf(0))).as("the oldest of all, alone in its share, stays").isInstanceOf(SessionRequestIds.InFlight.class);
        assertThat(claim("s", IntNode.valueOf(1))).as("the largest share's oldest, given back early").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("s", IntNode.valueOf(2))).isInstanceOf(SessionRequestIds.InFlight.class);
        assertThat(claim("s", IntNode.valueOf(SessionRequestIds.MAX_ABANDONED))).isInstanceOf(SessionRequestIds.InFlight.class);
    }

    /** Review AG: a long id is held as a 32-byte digest, and still refuses exactly itself and nothing else. */
    @Test
    void aLongIdIsHeldAsADigestThatRefusesItselfAndNoOtherId() throws Exception {
        String longText = "x".repeat(HeldIds.MAX_KEPT_ID_CHARS * 1000);
        JsonNode longId = TextNode.valueOf(longText);
        SessionRequestIds.Taken taken = (SessionRequestIds.Taken) ids.claim("route", "s", List.of(longId), List.of("slow"));
        taken.abandon().run();

        JsonNode held = HeldIds.keyOf(longId);
        assertThat(held).isInstanceOf(com.fasterxml.jackson.databind.node.BinaryNode.class);
        assertThat(held.binaryValue()).hasSize(32);
        assertThat(claim("s", TextNode.valueOf(new String(longText)))).as("the same id, another copy")
                .isEqualTo(new SessionRequestIds.InFlight(TextNode.valueOf(longText)));
        assertThat(ids.pendingTool("route", "s", TextNode.valueOf(new String(longText)))).isEqualTo("slow");
        assertThat(claim("s", TextNode.valueOf(longText + "y"))).as("a longer id").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("s", TextNode.valueOf(longText.substring(1)))).as("a shorter id").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("s", TextNode.valueOf(java.util.Base64.getEncoder().encodeToString(held.binaryValue()))))
                .as("a short id spelling the digest is its own id").isInstanceOf(SessionRequestIds.Taken.class);
        JsonNode longNumber = new com.fasterxml.jackson.databind.node.BigIntegerNode(new java.math.BigInteger("9".repeat(100)));
        JsonNode sameDigitsAsText = TextNode.valueOf("9".repeat(100));
        ((SessionRequestIds.Taken) claim("s", longNumber)).abandon().run();
        assertThat(claim("s", sameDigitsAsText)).as("a string of the number's digits is another id").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("s", new com.fasterxml.jackson.databind.node.BigIntegerNode(new java.math.BigInteger("9".repeat(100)))))
                .isInstanceOf(SessionRequestIds.InFlight.class);
        assertThat(HeldIds.keyOf(IntNode.valueOf(7))).as("a short id is kept as it is").isEqualTo(IntNode.valueOf(7));
    }

    /** Review AG: a caller abandoning calls in a loop gives back its own oldest holds, never another caller's. */
    @Test
    void aCallerPastItsShareOfAbandonedIdsGivesBackItsOwnOldestNotAnothers() {
        ((SessionRequestIds.Taken) ids.claim("route", "victim", "acme", List.of(IntNode.valueOf(1)), List.of("slow"))).abandon().run();
        for (int i = 0; i <= SessionRequestIds.MAX_ABANDONED_PER_CALLER; i++) {
            ((SessionRequestIds.Taken) ids.claim("route", "s" + (i % 7), "evil", List.of(IntNode.valueOf(i)), List.of("slow")))
                    .abandon().run();
        }

        assertThat(claim("victim", IntNode.valueOf(1))).as("another caller's hold stays").isInstanceOf(SessionRequestIds.InFlight.class);
        assertThat(claim("s0", IntNode.valueOf(0))).as("the flooder's oldest was given back").isInstanceOf(SessionRequestIds.Taken.class);
        assertThat(claim("s1", IntNode.valueOf(1))).as("its next oldest is still held").isInstanceOf(SessionRequestIds.InFlight.class);
        assertThat(ids.size()).isEqualTo(1 + SessionRequestIds.MAX_ABANDONED_PER_CALLER + 1);
    }
}
