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

    /** The tools one route's lists withheld under one compiled policy, each with the result rule's decision that did. */
    private record RouteWithheld(CompiledPolicy policy, Map<String, Decision> names) {
    }

    private final Map<String, RouteWithheld> byRoute = new ConcurrentHashMap<>();

    /**
     * Notes that a list withheld {@code tool}'s definition by {@code decision}. Under a policy other than the one the
     * route's names were withheld by (a reload), those names are dropped first: they neither deny calls nor fill the cap.
     */
    void withheld(String route, String tool, Decision decision, CompiledPolicy policy) {
        RouteWithheld current = byRoute.compute(route,
                (r, held) -> held == null || held.policy() != policy ? new RouteWithheld(policy, new ConcurrentHashMap<>()) : held);
        if (current.names().size() < MAX_NAMES_PER_ROUTE || current.names().containsKey(tool)) {
            current.names().put(tool, decision);
        }
    }

    /** Notes that a list showed {@code tool}'s definition (it passed, was audited or redacted): callable again. */
    void shown(String route, String tool) {
        RouteWithheld held = byRoute.get(route);
        if (held != null) {
            held.names().remove(tool);
        }
    }

    /** The decision that withheld the tool's last listed definition under {@code policy}, or null when none did. */
    Decision withholding(String route, String tool, CompiledPolicy policy) {
        RouteWithheld held = byRoute.get(route);
        return held == null || held.policy() != policy ? null : held.names().get(tool);
    }
}
