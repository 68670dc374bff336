package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** What an approver is shown of a held call's arguments: the agent chooses their size, never what is hidden. */
class ShownArgumentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void argumentsWithinTheBudgetAreShownWholeAndSayTheyAreComplete() throws Exception {
        JsonNode arguments = JSON.readTree("{\"cluster\":\"prod-eu-1\",\"replicas\":3,\"dry_run\":false,\"tags\":[\"a\",\"b\"],\"spec\":{\"image\":\"x:1\"}}");
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isTrue();
        assertThat(shown.arguments()).isEqualTo(arguments);
    }

    @Test
    void noArgumentsShowNothingAndAreComplete() {
        assertThat(ShownArguments.of(null)).isEqualTo(new ShownArguments(null, true));
    }

    @Test
    void onePaddedValueIsCutWithItsLengthAndEveryOtherMemberIsShownWhole() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("notes", "x".repeat(70_000)).put("cluster", "prod-eu-ATTACKER")
                .put("image", "registry.evil.example/backdoor:1");
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().path("cluster").textValue()).isEqualTo("prod-eu-ATTACKER");
        assertThat(shown.arguments().path("image").textValue()).isEqualTo("registry.evil.example/backdoor:1");
        assertThat(shown.arguments().path("notes").textValue()).startsWith("xxxx").endsWith("…[cut: 70000 chars in all]");
        assertWithinBudget(shown);
    }

    @Test
    void everyMemberOfManyLongValuesKeepsItsStartTheBudgetIsShared() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 40; i++) {
            arguments.put("field" + i, i + "-" + "y".repeat(5_000));
        }
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().size()).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            assertThat(shown.arguments().path("field" + i).textValue()).startsWith(i + "-y").contains("…[cut: ");
        }
        assertWithinBudget(shown);
    }

    @Test
    void aLongArrayShowsItsFirstItemsAndHowManyItHad() {
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 5_000; i++) {
            items.add(i);
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("target", "prod");
        arguments.set("ids", items);
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().path("target").textValue()).isEqualTo("prod");
        JsonNode ids = shown.arguments().path("ids");
        assertThat(ids.get(0).intValue()).isZero();
        assertThat(ids.get(ids.size() - 1).textValue()).endsWith("5000 in all]");
        assertWithinBudget(shown);
    }

    @Test
    void thousandsOfEmptyObjectsKeepTheViewSmallOnTheHeap() {
        ArrayNode padding = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 30_000; i++) {
            padding.addObject();
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.set("padding", padding);
        arguments.put("cluster", "prod-eu-ATTACKER");
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.arguments().path("cluster").textValue()).isEqualTo("prod-eu-ATTACKER");
        assertWithinBudget(shown);
    }

    @Test
    void tooManyMembersShowAsManyAsFitAndSayHowManyWereLeftOut() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 20_000; i++) {
            arguments.put("k" + i, i);
        }
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().path("…").textValue()).matches("\\[cut: \\d+ more members, 20000 in all]");
        assertWithinBudget(shown);
    }

    @Test
    void deepNestingIsCutAtADepthAndSaysWhatItHid() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "prod");
        ObjectNode level = arguments;
        for (int i = 0; i < 200; i++) {
            level = level.putObject("in");
        }
        level.put("end", true);
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().path("cluster").textValue()).isEqualTo("prod");
        assertThat(shown.arguments().toString()).contains("[cut: an object of 1 member]");
        assertWithinBudget(shown);
    }

    @Test
    void aLongMemberNameIsCutTooAndNoMemberIsLostToAnother() {
        String name = "n".repeat(40_000);
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put(name + "a", 1).put(name + "b", 2).put("cluster", "prod");
        ShownArguments shown = ShownArguments.of(arguments);
        assertThat(shown.complete()).isFalse();
        assertThat(shown.arguments().size()).isEqualTo(3);
        assertThat(shown.arguments().path("cluster").textValue()).isEqualTo("prod");
        assertWithinBudget(shown);
    }

    @Test
    void aCutNeverSplitsACharacterInTwo() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("emoji", "😀".repeat(20_000));
        String shown = ShownArguments.of(arguments).arguments().path("emoji").textValue();
        String start = shown.substring(0, shown.indexOf("…[cut: "));
        assertThat(start).isNotEmpty();
        assertThat(Character.isHighSurrogate(start.charAt(start.length() - 1))).isFalse();
        assertThat(shown).endsWith("40000 chars in all]");
    }

    /** The view's compact JSON, with the few markers the last step may add past the budget. */
    private static void assertWithinBudget(ShownArguments shown) {
        assertThat(shown.arguments().toString().length()).isLessThanOrEqualTo(ShownArguments.MAX_SHOWN_CHARS + 512);
        assertThat(nodes(shown.arguments())).isLessThanOrEqualTo(ShownArguments.MAX_SHOWN_NODES + 16);
    }

    private static int nodes(JsonNode node) {
        int count = 1;
        for (JsonNode child : node) {
            count += nodes(child);
        }
        return count;
    }
}
