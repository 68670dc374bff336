package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.pinning.DefinitionDiff;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review AI (fixI1, review AG #2): {@code DefinitionDiff} now formats at most 20 lines and walks at most 100,000 node pairs
 * to count the rest. But before walking a pair it asks {@code same(before, after)}, a full deep {@code JsonNode.equals},
 * at EVERY level of the walk (in {@code diff} and again in {@code keepFirst} for each member), and that comparison is
 * outside the budget. A rug-pulling upstream nests the changed leaf D levels down (the response parser allows 64) beside
 * a large member that is equal in both definitions: every level compares that member again, twice. The diff costs about
 * 2·D times the definition's size in comparisons, on the event loop, once per new listed digest (up to
 * {@code PinWatch.MAX_REPORTED} = 10,000 digests: the upstream changes the leaf on every list).
 *
 * <p>Counted deterministically: the blob's numbers are an {@code IntNode} subclass that counts its {@code equals} calls.
 */
class PinDiffDeepEqualsReviewAITest {

    private static final int DEPTH = 55;
    private static final int ITEMS = 200_000;
    private static long equalsCalls;

    /** An int whose equality checks are counted. */
    private static final class CountedInt extends IntNode {
        CountedInt(int v) {
            super(v);
        }

        @Override
        public boolean equals(Object o) {
            equalsCalls++;
            return super.equals(o);
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }

    @Test
    void aChangeNestedDeepBesideALargeEqualMemberIsComparedOnceForEveryLevel() {
        JsonNode pinned = definition(blob(), 1);
        JsonNode listed = definition(blob(), 2); // parsed apart in the gateway: no node is shared (equals would short-cut on identity)

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        equalsCalls = 0;
        long cpu = threads.getCurrentThreadCpuTime();
        List<String> lines = DefinitionDiff.between(pinned, listed);
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000;

        assertThat(lines).as("the diff finds the one change").anyMatch(l -> l.contains("changed"));
        assertThat(equalsCalls)
                .as("equality checks of the %d equal items to diff a definition whose only change is %d levels down (%d per item; %d ms CPU here, counting included)",
                        ITEMS, DEPTH, equalsCalls / ITEMS, cpuMillis)
                .isLessThanOrEqualTo(4L * ITEMS);
    }

    @Test
    void control_aChangeAtTheTopComparesTheBlobOnce() {
        ObjectNode pinned = JsonNodeFactory.instance.objectNode();
        pinned.set("blob", blob());
        pinned.put("changed", 1);
        ObjectNode listed = JsonNodeFactory.instance.objectNode();
        listed.set("blob", blob());
        listed.put("changed", 2);
        equalsCalls = 0;
        DefinitionDiff.between(pinned, listed);
        assertThat(equalsCalls).isLessThanOrEqualTo(4L * ITEMS);
    }

    private static ArrayNode blob() {
        ArrayNode blob = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < ITEMS; i++) {
            blob.add(new CountedInt(i & 7));
        }
        return blob;
    }

    /** A tool definition whose inputSchema nests DEPTH objects, the last holding the blob and the changed leaf. */
    private static JsonNode definition(ArrayNode blob, int leaf) {
        ObjectNode bottom = JsonNodeFactory.instance.objectNode();
        bottom.set("blob", blob);
        bottom.put("changed", leaf);
        ObjectNode node = bottom;
        for (int i = 0; i < DEPTH; i++) {
            ObjectNode up = JsonNodeFactory.instance.objectNode();
            up.set("a", node);
            node = up;
        }
        ObjectNode tool = JsonNodeFactory.instance.objectNode();
        tool.put("name", "report");
        tool.set("inputSchema", node);
        return tool;
    }
}
