package dev.tollgate.policy;

import dev.tollgate.policy.condition.AllOf;
import dev.tollgate.policy.condition.AnyOf;
import dev.tollgate.policy.condition.CallField;
import dev.tollgate.policy.condition.CallFieldCondition;
import dev.tollgate.policy.condition.CheckCondition;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.NotCondition;
import dev.tollgate.policy.detect.DetectorCheck;
import dev.tollgate.policy.detect.Detector;
import java.util.ArrayList;
import java.util.List;

/**
 * Which rules decide results and which detectors they use. A result rule says so in its condition: {@code direction:
 * result} at the top or inside a top-level {@code all:}. Only result rules decide results (a request rule such as
 * {@code {tool: echo}, deny} must not turn into "deny every result of echo"), and they never match a request.
 */
final class ResultRules {

    private ResultRules() {
    }

    static boolean isResultRule(Condition condition) {
        if (condition instanceof CallFieldCondition field) {
            return field.field() == CallField.DIRECTION && field.globs().size() == 1
                    && CallDescription.RESULT.equals(field.globs().get(0).toString());
        }
        if (condition instanceof AllOf all) {
            return all.conditions().stream().anyMatch(ResultRules::isResultRule);
        }
        return false;
    }

    /**
     * The condition as it reads a result whose call cannot be known (a response on a session's GET stream that answers no
     * pending {@code tools/call}, a resumed stream's, a task's result whose creating tool is gone): every {@code tool:},
     * {@code resource:}, {@code prompt:} and {@code method:} condition is taken to hold where that makes the rule match,
     * and not to hold under an odd number of {@code not:}, so a rule scoped to a call applies whatever the call was (fail
     * closed). The condition itself when it names none. Built once per document, not per result.
     */
    static Condition anyTool(Condition condition) {
        return UnknownTools.anyCall(condition);
    }

    /** The detectors a rule's condition uses anywhere (under any, all, not), in the order they appear. */
    static List<Detector> detectors(Condition condition) {
        List<Detector> out = new ArrayList<>();
        collect(condition, out);
        return List.copyOf(out);
    }

    private static void collect(Condition condition, List<Detector> out) {
        if (condition instanceof CheckCondition check && check.check() instanceof DetectorCheck.Compiled compiled) {
            out.add(compiled.detector());
        } else if (condition instanceof AllOf all) {
            all.conditions().forEach(c -> collect(c, out));
        } else if (condition instanceof AnyOf any) {
            any.conditions().forEach(c -> collect(c, out));
        } else if (condition instanceof NotCondition not) {
            collect(not.inner(), out);
        }
    }
}
