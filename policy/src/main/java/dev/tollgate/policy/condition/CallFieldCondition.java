package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code tool: shell_*}, {@code method: tools/call}, ...: a call field matches one of the globs. */
public record CallFieldCondition(CallField field, List<Glob> globs) implements Condition {

    public CallFieldCondition {
        globs = List.copyOf(globs);
    }

    @Override
    public boolean matches(PolicyRequest request) {
        return test(field.of(request.call()));
    }

    private boolean test(String value) {
        for (int i = 0, n = globs.size(); i < n; i++) {
            if (globs.get(i).matches(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String mismatch(PolicyRequest request) {
        String value = field.of(request.call());
        if (test(value)) {
            return null;
        }
        return value == null ? "the call has no " + field.yamlName()
                : field.yamlName() + " '" + value + "' does not match " + (globs.size() == 1 ? "'" + globs.get(0) + "'" : globs.toString());
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.of(test(field.of(call)));
    }

    @Override
    public Set<String> requiredToolNames() {
        if (field != CallField.TOOL) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        for (Glob glob : globs) {
            if (glob.literal() == null) {
                return null;
            }
            names.add(glob.literal());
        }
        return names;
    }
}
