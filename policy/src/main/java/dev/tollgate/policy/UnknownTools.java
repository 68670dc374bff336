package dev.tollgate.policy;

import dev.tollgate.policy.check.BudgetCheck;
import dev.tollgate.policy.check.RateLimitCheck;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.AllOf;
import dev.tollgate.policy.condition.AnyOf;
import dev.tollgate.policy.condition.CallField;
import dev.tollgate.policy.condition.CallFieldCondition;
import dev.tollgate.policy.condition.CheckCondition;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.NotCondition;
import dev.tollgate.policy.condition.Truth;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How rules read a call or a result whose tool cannot be known: fail closed, as if it were whichever tool makes the rule
 * match (native {@code tool:} conditions and AGT {@code tool_name} comparisons alike). Used for results nobody can tie to a call ({@link ResultRules#anyTool}) and for A2A sends whose declared skill
 * is a label the gateway does not know ({@link CallFacts#toolUnknown}), where metering deny rules (a {@code budget} or
 * {@code rate_limit} check) are read so: an agent is not bound by the label, so leaving it out or making one up must not
 * take a send out of a {@code {tool: research}} budget.
 */
final class UnknownTools {

    /** The checks whose rules an unknown tool must not escape: they meter what the tool costs or how often it runs. */
    private static final Set<String> METERING_CHECKS = Set.of(BudgetCheck.NAME, RateLimitCheck.NAME);

    private UnknownTools() {
    }

    /**
     * The condition with every {@code tool:} condition taken to hold where that makes the rule match, and not to hold
     * under an odd number of {@code not:}, so a tool-scoped rule applies whatever the tool was. The condition itself when
     * it names no tool. Built once per document, not per call.
     */
    static Condition anyTool(Condition condition) {
        return unknownAs(condition, true, UnknownTools::namesTheTool);
    }

    /**
     * {@link #anyTool}, and the same for {@code resource:}, {@code prompt:} and {@code method:} conditions: for text whose
     * call cannot be known at all (an answer on a session's GET stream or a resumed stream, whose event id records at most
     * the tool), so a rule scoped to a resource, a prompt or a method applies to it too (review BU: a resumed
     * {@code resources/read} answer escaped a {@code resource:} rule). Result rules only: every matching result rule is
     * applied and a deny anywhere wins, so holding sooner can only withhold or redact more.
     */
    static Condition anyCall(Condition condition) {
        return unknownAs(condition, true, c -> namesTheTool(c) || namesTheCall(c));
    }

    private static Condition unknownAs(Condition condition, boolean positive, Predicate<Condition> unknown) {
        if (unknown.test(condition)) {
            return positive ? Constant.HOLDS : Constant.FAILS;
        }
        if (condition instanceof AllOf all) {
            List<Condition> inner = all.conditions().stream().map(c -> unknownAs(c, positive, unknown)).toList();
            return inner.equals(all.conditions()) ? all : new AllOf(inner);
        }
        if (condition instanceof AnyOf any) {
            List<Condition> inner = any.conditions().stream().map(c -> unknownAs(c, positive, unknown)).toList();
            return inner.equals(any.conditions()) ? any : new AnyOf(inner);
        }
        if (condition instanceof NotCondition not) {
            Condition inner = unknownAs(not.inner(), !positive, unknown);
            return inner == not.inner() ? not : new NotCondition(inner);
        }
        return condition;
    }

    /** A native {@code resource:}, {@code prompt:} or {@code method:} condition. */
    private static boolean namesTheCall(Condition condition) {
        return condition instanceof CallFieldCondition field
                && (field.field() == CallField.RESOURCE || field.field() == CallField.PROMPT || field.field() == CallField.METHOD);
    }

    /**
     * A native {@code tool:} condition, or an AGT comparison of {@code tool_name} (AGT's host-check form
     * {@code {tool: synthesize_report, custom_check: waxell_budget_check}} compiles to one beside a budget check).
     */
    private static boolean namesTheTool(Condition condition) {
        return condition instanceof CallFieldCondition field && field.field() == CallField.TOOL
                || condition instanceof AgtCondition agt && "tool_name".equals(agt.field());
    }

    /** Whether the condition holds a {@code budget} or {@code rate_limit} check anywhere (under any, all, not). */
    static boolean meters(Condition condition) {
        if (condition instanceof CheckCondition check) {
            return METERING_CHECKS.contains(check.name());
        }
        if (condition instanceof AllOf all) {
            return all.conditions().stream().anyMatch(UnknownTools::meters);
        }
        if (condition instanceof AnyOf any) {
            return any.conditions().stream().anyMatch(UnknownTools::meters);
        }
        return condition instanceof NotCondition not && meters(not.inner());
    }

    /**
     * The rules, in the same order, as they read a call whose tool is unknown: each metering deny rule with its
     * {@code tool:} conditions read by {@link #anyTool}. Only deny rules: matching sooner can only refuse more, while an
     * allow, audit or approve rule matching sooner would decide before a deny rule further down.
     */
    static CompiledRule[] meteringRulesOfAnyTool(CompiledRule[] rules) {
        CompiledRule[] read = new CompiledRule[rules.length];
        boolean changed = false;
        for (int i = 0; i < rules.length; i++) {
            CompiledRule rule = rules[i];
            read[i] = rule.action() == Action.DENY && meters(rule.condition()) ? rule.withCondition(anyTool(rule.condition())) : rule;
            changed |= read[i] != rule;
        }
        return changed ? read : rules;
    }

    /** A condition that always holds or never does: a {@code tool:} condition read for an unknown tool. */
    private enum Constant implements Condition {
        HOLDS, FAILS;

        @Override
        public boolean matches(PolicyRequest request) {
            return this == HOLDS;
        }

        @Override
        public String mismatch(PolicyRequest request) {
            return this == HOLDS ? null : "the tool is unknown (read as the rule's tool where that makes it match)";
        }

        @Override
        public Truth staticTruth(CallDescription call, Identity identity) {
            return Truth.of(this == HOLDS);
        }
    }
}
