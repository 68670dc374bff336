package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.util.ArrayList;
import java.util.List;

/** {@code any: [...]}: at least one condition holds. */
public record AnyOf(List<Condition> conditions) implements Condition {

    public AnyOf {
        conditions = List.copyOf(conditions);
    }

    @Override
    public boolean notesObligations() {
        return conditions.stream().anyMatch(Condition::notesObligations);
    }

    @Override
    public void addClaimsRead(java.util.Set<String> names) {
        conditions.forEach(c -> c.addClaimsRead(names));
    }

    @Override
    public void addArgumentsRead(java.util.Set<String> pointers) {
        conditions.forEach(c -> c.addArgumentsRead(pointers));
    }

    @Override
    public boolean matches(PolicyRequest request) {
        for (int i = 0, n = conditions.size(); i < n; i++) {
            if (conditions.get(i).matches(request)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String mismatch(PolicyRequest request) {
        List<String> reasons = new ArrayList<>();
        for (Condition c : conditions) {
            String why = c.mismatch(request);
            if (why == null) {
                return null;
            }
            reasons.add(why);
        }
        return "none of: " + String.join("; ", reasons);
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        Truth result = Truth.FALSE;
        for (Condition c : conditions) {
            Truth t = c.staticTruth(call, identity);
            if (t == Truth.TRUE) {
                return Truth.TRUE;
            }
            if (t == Truth.UNKNOWN) {
                result = Truth.UNKNOWN;
            }
        }
        return result;
    }
}
