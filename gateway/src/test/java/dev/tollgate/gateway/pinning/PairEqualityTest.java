package dev.tollgate.gateway.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class PairEqualityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Pairs of JSON texts: PairEquality must answer exactly as JsonNode.equals. */
    private static final String[][] CASES = {
            {"1", "1"}, {"1", "1.0"}, {"1", "\"1\""}, {"null", "null"}, {"true", "false"},
            {"{}", "{}"}, {"{}", "[]"}, {"[]", "[]"}, {"[1]", "1"}, {"1", "[1]"},
            {"{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}"}, {"{\"a\":1}", "{\"a\":1,\"b\":2}"}, {"{\"a\":1,\"b\":2}", "{\"a\":1}"},
            {"{\"a\":null}", "{\"b\":null}"}, {"{\"a\":null}", "{}"},
            {"[1,2]", "[2,1]"}, {"[1,2]", "[1,2,3]"}, {"[[1],{\"x\":[true]}]", "[[1],{\"x\":[true]}]"},
            {"[[1],{\"x\":[true]}]", "[[1],{\"x\":[false]}]"}, {"{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}", "{\"a\":{\"b\":[1,{\"c\":\"e\"}]}}"},
    };

    @Test
    void answersAsJsonNodeEqualsDoes() throws Exception {
        for (String[] pair : CASES) {
            JsonNode before = JSON.readTree(pair[0]);
            JsonNode after = JSON.readTree(pair[1]);
            assertThat(new PairEquality().same(before, after)).as("%s vs %s", pair[0], pair[1]).isEqualTo(before.equals(after));
        }
        assertThat(new PairEquality().same(JSON.readTree("5"), LongNode.valueOf(5))).as("an int and a long, as Jackson")
                .isEqualTo(JSON.readTree("5").equals(LongNode.valueOf(5)));
        assertThat(new PairEquality().same(null, null)).isTrue();
        assertThat(new PairEquality().same(null, JSON.readTree("null"))).as("absent is not JSON null").isFalse();
    }

    /** Review AI: asked again at every level down to a deep change, a large equal member is walked once, not once a level. */
    @Test
    void aLargePairIsWalkedOncePerDiffHoweverOftenItIsAsked() {
        int depth = 60;
        int items = 10_000;
        JsonNode before = nested(depth, items, 1);
        JsonNode after = nested(depth, items, 2);
        PairEquality equality = new PairEquality();
        JsonNode b = before;
        JsonNode a = after;
        for (int level = 0; level <= depth; level++) {
            assertThat(equality.same(b, a)).isFalse();
            if (level < depth) {
                b = b.get("a");
                a = a.get("a");
            }
        }
        assertThat(equality.same(b.get("blob"), a.get("blob"))).isTrue();
        assertThat(equality.visited()).as("nodes visited for %d questions about two trees of %d nodes", depth + 2, items + depth)
                .isLessThan(2L * items);
    }

    private static JsonNode nested(int depth, int items, int leaf) {
        ArrayNode blob = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < items; i++) {
            blob.add(i);
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set("blob", blob);
        node.put("changed", leaf);
        for (int i = 0; i < depth; i++) {
            ObjectNode up = JsonNodeFactory.instance.objectNode();
            up.set("a", node);
            node = up;
        }
        return node;
    }
}
