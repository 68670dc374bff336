package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Interner;
import dev.tollgate.protocols.mcp.ArgumentNames;
import dev.tollgate.protocols.mcp.ToolEnums;
import dev.tollgate.protocols.mcp.ToolInputs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The closed value sets ({@link ToolEnums}) and argument defaults ({@link dev.tollgate.protocols.mcp.ToolDefaults}) each
 * route's tools declare ({@link ToolInputs}), learnt from the tools lists upstreams send back through the gateway, so that
 * a call holding a value its tool does not list is refused before policy ({@link DeclaredEnumDecisions}), and a call
 * leaving out an argument its tool fills with a default is also decided as the tool reads it ({@link PolicyStage}).
 * <p>
 * A server may list different values to different callers (the caller's own projects as an enum): what a list showed
 * is kept per upstream session and per caller, and a call is checked against its session's list, else its caller's last
 * list, else the route's latest list of the tool, so that skipping the list is no way past the check. Process-wide, shared
 * by every event loop, and bounded: at most {@link #MAX_ENTRIES} tools over all sessions and callers (the least recently
 * used go first, and any unused for {@link #IDLE}; a tool naming no values is a shared empty entry), {@link #MAX_TOOLS}
 * per route; equal schemas are held once (interned). A call to a tool never listed through this process (a restart,
 * another replica) makes the gateway list the tools itself first ({@link ToolSchemaPrefetchStage}).
 */
public final class DeclaredEnums {

    static final long MAX_ENTRIES = 200_000;
    static final int MAX_TOOLS = 4_096;
    static final Duration IDLE = Duration.ofHours(1);

    private final Map<String, Map<String, ToolInputs>> byRoute = new ConcurrentHashMap<>();
    private final Cache<String, Map<String, ToolInputs>> byScope = Caffeine.newBuilder()
            .maximumWeight(MAX_ENTRIES).weigher((String scope, Map<String, ToolInputs> tools) -> 1 + tools.size())
            .expireAfterAccess(IDLE)
            .executor(Runnable::run) // read on every tool call: upkeep on the reading thread, no common-pool wake-ups
            .build();
    private final Interner<ToolInputs> interned = Interner.newWeakInterner();
    private final ToolListAsks asks = new ToolListAsks();

    /**
     * Learns the closed sets of every tool in a {@code tools/list} result's tools array.
     *
     * @param session the upstream's MCP session id, or null
     * @param caller  the caller's key ({@code CallerKey})
     */
    void learn(String route, String session, String caller, JsonNode tools) {
        Map<String, ToolInputs> latest = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        Map<String, ToolInputs> listed = new HashMap<>();
        for (JsonNode tool : tools) {
            JsonNode name = tool.path("name");
            if (name.isTextual()) {
                ToolInputs inputs = ToolInputs.of(tool.get("inputSchema"));
                listed.put(name.textValue(), inputs.matters() ? interned.intern(inputs) : ToolInputs.NONE);
            }
        }
        // Every tool listed is kept for the session and the caller, those naming no values too (review CG: kept only where
        // the route's list then named some, a later list naming values to another caller made this one's calls refused).
        Map<String, ToolInputs> kept = new HashMap<>(listed);
        listed.forEach((name, enums) -> {
            if (latest.size() < MAX_TOOLS || latest.containsKey(name)) {
                latest.put(name, enums);
            }
        });
        if (session != null) {
            remember(scope(route, "s", session), listed.keySet(), kept);
        }
        remember(scope(route, "c", caller), listed.keySet(), kept);
    }

    /**
     * The JSON pointer of the first argument of a call to {@code tool} holding a value the tool's listed schema does not
     * list, or null (also when the tool was never listed here).
     */
    String outside(String route, String session, Supplier<String> caller, String tool, JsonNode arguments) {
        ToolInputs inputs = declared(route, session, caller, tool);
        return inputs == null ? null : inputs.outside(arguments);
    }

    /**
     * The arguments of a call to {@code tool} as its server reads them, the defaults its listed schema declares filled in
     * where the call leaves them out (one reading per union branch the server may take); empty when the call leaves out
     * none (or the tool was never listed here).
     */
    List<JsonNode> filled(String route, String session, Supplier<String> caller, String tool, JsonNode arguments) {
        ToolInputs inputs = declared(route, session, caller, tool);
        return inputs == null ? List.of() : inputs.filled(arguments);
    }

    /** The argument names a call to {@code tool} is held to ({@link ArgumentNameCheck}), or null when never listed here. */
    ArgumentNames names(String route, String session, Supplier<String> caller, String tool) {
        ToolInputs inputs = declared(route, session, caller, tool);
        return inputs == null ? null : inputs.names();
    }

    /** What the call's session's list, else its caller's last list, else the route's latest list declared for the tool. */
    private ToolInputs declared(String route, String session, Supplier<String> caller, String tool) {
        Map<String, ToolInputs> latest = byRoute.get(route);
        ToolInputs routeWide = latest == null ? null : latest.get(tool);
        if (routeWide == null) {
            return null; // every list is learnt route-wide too: a tool never listed costs its calls one lookup
        }
        ToolInputs inputs = session == null ? null : listedIn(scope(route, "s", session), tool);
        if (inputs == null) {
            inputs = listedIn(scope(route, "c", caller.get()), tool);
        }
        return inputs == null ? routeWide : inputs;
    }

    /** Whether any list through this process named {@code tool} on the route (else {@link ToolSchemaPrefetchStage} asks). */
    boolean knows(String route, String tool) {
        Map<String, ToolInputs> latest = byRoute.get(route);
        return latest != null && latest.containsKey(tool);
    }

    /** What the gateway asked the route's upstreams itself, to learn tools no list through it named. */
    ToolListAsks asks() {
        return asks;
    }

    private ToolInputs listedIn(String scope, String tool) {
        Map<String, ToolInputs> tools = byScope.getIfPresent(scope);
        return tools == null ? null : tools.get(tool);
    }

    /**
     * Replaces what a scope holds of the tools just listed: those kept, and none of the others (a tool relisted naming
     * no values is not held to what an earlier list named). A new map each time, so that its weight is counted again.
     */
    private void remember(String scope, Set<String> listed, Map<String, ToolInputs> kept) {
        byScope.asMap().compute(scope, (s, before) -> {
            Map<String, ToolInputs> after = before == null ? new HashMap<>() : new HashMap<>(before);
            after.keySet().removeAll(listed);
            after.putAll(kept);
            if (after.isEmpty()) {
                return null;
            }
            return after.size() > MAX_TOOLS ? before : Map.copyOf(after);
        });
    }

    private static String scope(String route, String kind, String who) {
        return route + '\u0000' + kind + '\u0000' + who;
    }
}
