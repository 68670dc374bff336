package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/**
 * An A2A answer in the 1.0 shape, whichever generation the call spoke, for the pricing pointers that read it. 1.0 wraps
 * what it returns ({@code {"message": {...}}}, {@code {"task": ...}}, a stream's {@code {"statusUpdate": ...}}); 0.3 returns
 * the object itself, marked by its {@code kind}. One {@code reported-cost} pointer such as {@code /message/metadata/cost_usd}
 * then reads both (review Y: a caller sending 0.3's {@code message/send} paid the price table, never the cost reported).
 */
final class A2aAnswerShape {

    /** The 0.3 kinds and the 1.0 members that hold the same objects. */
    private static final Map<String, String> MEMBER_OF_KIND = Map.of("message", "message", "task", "task",
            "status-update", "statusUpdate", "artifact-update", "artifactUpdate");

    private A2aAnswerShape() {
    }

    /** @return the answer as 1.0 shapes it: a 0.3 object of a known kind wrapped under its member; anything else as it is */
    static JsonNode current(JsonNode answer, boolean legacy) {
        if (!legacy || answer == null || !answer.isObject() || !answer.path("kind").isTextual()) {
            return answer;
        }
        String member = MEMBER_OF_KIND.get(answer.get("kind").textValue());
        return member == null ? answer : JsonNodeFactory.instance.objectNode().set(member, answer);
    }
}
