package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.util.List;
import java.util.Set;

/**
 * {@code all: [...]}: every condition holds (evaluated in order, stopping at the first that fails), members that note
 * obligations (checks) after the others: written first, a rate-limit check took a token from every call that reached it,
 * and when its bucket ran dry the rule denied calls its other members did not cover (review Y: the third {@code search}
 * refused by {@code [{check: rate_limit}, {tool: "export*"}]}). A conjunction is the same whatever its order.
 */
public record AllOf(List<Condition> conditions) implements Condition {

    public AllOf {
        List<Condition> ordered = new java.util.ArrayList<>(conditions.size());
        conditions.stream().filter(c -> !c.notesObligations()).forEach(ordered::add);
        conditions.stream().filter(Condition::notesObligations).forEach(ordered::add);
        conditions = List.copyOf(ordered);
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
        // Indexed loop: no iterator on the hot path, whatever the JIT's escape analysis decides.
        for (int i = 0, n = conditions.size(); i < n; i++) {
            if (!conditions.get(i).matches(request)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String mismatch(PolicyRequest request) {
        for (Condition c : conditions) {
            String why = c.mismatch(request);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        Truth result = Truth.TRUE;
        for (Condition c : conditions) {
            Truth t = c.staticTruth(call, identity);
            if (t == Truth.FALSE) {
                return Truth.FALSE;
            }
            if (t == Truth.UNKNOWN) {
                result = Truth.UNKNOWN;
            }
        }
        return result;
    }

    /** The tool literals of the first member that restricts the tool: all members must hold, so that one must too. */
    @Override
    public Set<String> requiredToolNames() {
        for (Condition c : conditions) {
            Set<String> names = c.requiredToolNames();
            if (names != null) {
                return names;
            }
        }
        return null;
    }
}
