package dev.tollgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools whose listed definition result rules withheld from a {@code tools/list} (a poisoned description), by policy
 * and route: a call to one is denied before policy ({@link WithheldToolDecisions#withheld}), as a call to a tool pinning
 * hides is. Under one policy, the last list relayed through this replica decides: a list that shows the tool's
 * definition passing (to any caller) makes it callable again, one that withholds it makes it not.
 *
 * <p>Each compiled policy has its own names, so a reload starts from none (its result rules may be other ones now; the
 * next list decides again), and a list still in flight across a reload, decided under the policy its exchange started
 * with, can neither replace nor clear what lists decided under the new one. A policy's names are held as long as the
 * policy is (weak keys, compared by identity): once no exchange uses an old policy, its names go with it. Process-wide,
 * shared by every event loop (like {@link dev.tollgate.gateway.pinning.PinWatch}); at most
 * {@link #MAX_NAMES_PER_ROUTE} names per route and policy are remembered, so an upstream listing a million poisoned
 * names grows nothing (past it, a newly withheld tool is still left out of lists, its calls decided by policy alone).
 */
public final class WithheldTools {

    static final int MAX_NAMES_PER_ROUTE = 10_000;

    /** Per policy, per route, the withheld tool names, each with the result rule's decision that withheld it. */
    private final Cache<CompiledPolicy, Map<String, Map<String, Decision>>> byPolicy = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build(); // read on every tool call: upkeep on the reading thread, no common-pool wake-ups

    /** Notes that a list decided under {@code policy} withheld {@code tool}'s definition by {@code decision}. */
    void withheld(String route, String tool, Decision decision, CompiledPolicy policy) {
        if (policy == null) {
            return; // no policy, no result rules: nothing is withheld
        }
        Map<String, Decision> names = byPolicy.get(policy, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        if (names.size() < MAX_NAMES_PER_ROUTE || names.containsKey(tool)) {
            names.put(tool, decision);
        }
    }

    /** Notes that a list decided under {@code policy} showed {@code tool}'s definition (it passed, was audited or redacted): callable again. */
    void shown(String route, String tool, CompiledPolicy policy) {
        Map<String, Decision> names = names(route, policy);
        if (names != null) {
            names.remove(tool);
        }
    }

    /** The decision that withheld the tool's last listed definition under {@code policy}, or null when none did. */
    Decision withholding(String route, String tool, CompiledPolicy policy) {
        Map<String, Decision> names = names(route, policy);
        return names == null ? null : names.get(tool);
    }

    private Map<String, Decision> names(String route, CompiledPolicy policy) {
        Map<String, Map<String, Decision>> routes = policy == null ? null : byPolicy.getIfPresent(policy);
        return routes == null ? null : routes.get(route);
    }
}
