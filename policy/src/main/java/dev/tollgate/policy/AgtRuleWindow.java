package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.agt.AgtDynamicCondition;
import dev.tollgate.policy.condition.AllOf;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.ConditionCompiler;
import dev.tollgate.policy.yaml.Problems;
import java.util.List;

/**
 * An AGT 5.0.0 rule's {@code dynamic_condition} for the loader: the rule's condition AND the native {@code time}
 * condition the dynamic condition means ({@link AgtDynamicCondition}), so a rule limited to a window holds only in
 * it. The AGT condition comes first, as in AGT's evaluator: a condition that cannot be evaluated denies the call
 * (fail closed) whatever the time, as AGT's TypeError does.
 */
final class AgtRuleWindow {

    private AgtRuleWindow() {
    }

    /** {@code condition} limited by {@code dynamic}, or null (with a problem added) when the dynamic condition is refused. */
    static Condition and(Condition condition, JsonNode dynamic, String at, Problems problems, Problems warnings, ConditionCompiler compiler) {
        AgtDynamicCondition.Result result = AgtDynamicCondition.translate(dynamic);
        if (result instanceof AgtDynamicCondition.Refused refused) {
            problems.add(at + refused.pointer(), refused.message());
            return null;
        }
        AgtDynamicCondition.Time time = (AgtDynamicCondition.Time) result;
        time.warnings().forEach(w -> warnings.add(at, w));
        Condition window = compiler.compile(singleTime(time), at);
        return window == null ? null : new AllOf(List.of(condition, window));
    }

    private static JsonNode singleTime(AgtDynamicCondition.Time time) {
        com.fasterxml.jackson.databind.node.ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        node.set("time", time.time());
        return node;
    }
}
