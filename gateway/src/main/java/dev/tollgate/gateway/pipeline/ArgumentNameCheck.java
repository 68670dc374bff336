package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.protocols.mcp.ArgumentNames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The argument names each route's tools declare ({@link ArgumentNames}), learnt from the tools lists upstreams send back
 * through the gateway, and the check that a call spells each argument one way only, refused before policy
 * ({@link ArgumentNameDecisions}): a tool binding names case-insensitively would otherwise act on {@code MODE} where the
 * rule read {@code mode}.
 * <p>
 * A tool's names are its route's latest list of it (a list naming other properties to another caller is unusual, and
 * a name declared only there is still held to the policy's names). A tool never listed here is checked for keys equal
 * under folding to each other or to a name the route's policy reads. Process-wide, bounded: {@link #MAX_TOOLS} per route.
 */
public final class ArgumentNameCheck {

    static final int MAX_TOOLS = 4_096;

    private final Map<String, Map<String, ArgumentNames>> byRoute = new ConcurrentHashMap<>();
    // A compiled policy is immutable: the names it reads are computed once per policy (weak: a reload drops the old one).
    private final Cache<CompiledPolicy, ArgumentNames> readByPolicy = Caffeine.newBuilder().weakKeys().build();

    /** Learns the names every tool in a {@code tools/list} result's tools array declares. */
    void learn(String route, JsonNode tools) {
        Map<String, ArgumentNames> latest = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        for (JsonNode tool : tools) {
            JsonNode name = tool.path("name");
            if (name.isTextual() && (latest.size() < MAX_TOOLS || latest.containsKey(name.textValue()))) {
                latest.put(name.textValue(), ArgumentNames.of(tool.get("inputSchema")));
            }
        }
    }

    /**
     * The JSON pointer of the first argument of a call to {@code tool} spelled so that a case-insensitive binder may read
     * it as another (or as a name the tool declares or the policy reads), or null.
     */
    String ambiguous(String route, CompiledPolicy policy, String tool, JsonNode arguments) {
        if (arguments == null || !arguments.isObject() || arguments.isEmpty()) {
            return null;
        }
        Map<String, ArgumentNames> latest = byRoute.get(route);
        ArgumentNames declared = latest == null ? null : latest.get(tool);
        ArgumentNames read = policy == null || policy.argumentsRead().isEmpty() ? ArgumentNames.NONE
                : readByPolicy.get(policy, p -> ArgumentNames.ofPointers(p.argumentsRead()));
        return ArgumentNames.ambiguous(arguments, declared == null ? ArgumentNames.NONE : declared, read);
    }
}
