package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools whose listed definition result rules withheld from a {@code tools/list} (a poisoned description), by route:
 * a call to one is denied before policy ({@link WithheldToolDecisions#withheld}), as a call to a tool pinning hides is. The
 * last list relayed through this replica decides: a list that shows the tool's definition passing (to any caller)
 * makes it callable again, one that withholds it makes it not, and a reload of the route's policy forgets it (its result
 * rules may be other ones now; the next list decides again). Process-wide, shared by every event loop (like
 * {@link dev.tollgate.gateway.pinning.PinWatch}); at most {@link #MAX_NAMES_PER_ROUTE} names per route are remembered,
 * so an upstream listing a million poisoned names grows nothing (past it, a newly withheld tool is still left out of
 * lists, its calls decided by policy alone).
 */
public final class WithheldTools {

    static final int MAX_NAMES_PER_ROUTE = 10_000;

    /** What withheld a tool: the result rule's decision, and the compiled policy it belongs to (a reload forgets it). */
    private record Withheld(Decision decision, CompiledPolicy policy) {
    }

    private final Map<String, Map<String, Withheld>> byRoute = new ConcurrentHashMap<>();

    /** Notes that a list withheld {@code tool}'s definition by {@code decision}. */
    void withheld(String route, String tool, Decision decision, CompiledPolicy policy) {
        Map<String, Withheld> names = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        if (names.size() < MAX_NAMES_PER_ROUTE || names.containsKey(tool)) {
            names.put(tool, new Withheld(decision, policy));
        }
    }

    /** Notes that a list showed {@code tool}'s definition (it passed, was audited or redacted): callable again. */
    void shown(String route, String tool) {
        Map<String, Withheld> names = byRoute.get(route);
        if (names != null) {
            names.remove(tool);
        }
    }

    /** The decision that withheld the tool's last listed definition under {@code policy}, or null when none did. */
    Decision withholding(String route, String tool, CompiledPolicy policy) {
        Map<String, Withheld> names = byRoute.get(route);
        Withheld withheld = names == null ? null : names.get(tool);
        return withheld == null || withheld.policy() != policy ? null : withheld.decision();
    }
}
