package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Interner;
import dev.tollgate.protocols.mcp.ToolEnums;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The closed value sets ({@link ToolEnums}) each route's tools declare, learnt from the tools lists upstreams send back
 * through the gateway, so that a call holding a value its tool does not list is refused before policy
 * ({@link DeclaredEnumDecisions}).
 * <p>
 * A server may list different values to different callers (the caller's own projects as an enum): what a list showed
 * is kept per upstream session (or, without one, per caller) and checked first; the route's latest list of the tool is
 * the fallback for a caller that calls without having listed, so that skipping the list is no way past the check.
 * Process-wide, shared by every event loop; bounded: {@link #MAX_SCOPES} sessions or callers (the least recently used
 * go first, and after {@link #IDLE} unused), {@link #MAX_TOOLS} tools per route and per session, and equal schemas held
 * once (interned). A tool never listed through this replica is not checked.
 */
public final class DeclaredEnums {

    static final int MAX_SCOPES = 10_000;
    static final int MAX_TOOLS = 4_096;
    static final Duration IDLE = Duration.ofHours(1);

    private final Map<String, Map<String, ToolEnums>> byRoute = new ConcurrentHashMap<>();
    private final Cache<String, Map<String, ToolEnums>> byScope = Caffeine.newBuilder().maximumSize(MAX_SCOPES).expireAfterAccess(IDLE).build();
    private final Interner<ToolEnums> interned = Interner.newWeakInterner();

    /**
     * Learns the closed sets of every tool in a {@code tools/list} result's tools array.
     *
     * @param session the upstream's MCP session id, or null
     * @param caller  the caller's key ({@code CallerKey}), used when there is no session
     */
    void learn(String route, String session, String caller, JsonNode tools) {
        Map<String, ToolEnums> latest = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        Map<String, ToolEnums> scoped = byScope.get(scope(route, session, caller), s -> new ConcurrentHashMap<>());
        for (JsonNode tool : tools) {
            JsonNode name = tool.path("name");
            if (!name.isTextual()) {
                continue;
            }
            ToolEnums enums = ToolEnums.of(tool.get("inputSchema"));
            enums = enums.constrains() ? interned.intern(enums) : ToolEnums.NONE;
            put(latest, name.textValue(), enums);
            put(scoped, name.textValue(), enums);
        }
    }

    /**
     * The JSON pointer of the first argument of a call to {@code tool} holding a value the tool's listed schema does not
     * list, or null (also when the tool was never listed here).
     */
    String outside(String route, String session, Supplier<String> caller, String tool, JsonNode arguments) {
        Map<String, ToolEnums> latest = byRoute.get(route);
        ToolEnums routeWide = latest == null ? null : latest.get(tool);
        if (routeWide == null) {
            return null; // every list learnt is learnt route-wide too: a tool never listed costs its calls one lookup
        }
        Map<String, ToolEnums> scoped = byScope.getIfPresent(scope(route, session, session == null ? caller.get() : null));
        ToolEnums enums = scoped == null ? null : scoped.get(tool);
        return (enums == null ? routeWide : enums).outside(arguments);
    }

    private static void put(Map<String, ToolEnums> tools, String name, ToolEnums enums) {
        if (tools.size() < MAX_TOOLS || tools.containsKey(name)) {
            tools.put(name, enums);
        }
    }

    private static String scope(String route, String session, String caller) {
        return session != null ? route + "\u0000s\u0000" + session : route + "\u0000c\u0000" + caller;
    }
}
