package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.routing.RouteMatch;
import java.util.List;

/**
 * A2A clients resolve the agent card relative to the URL they are given: {@code @a2a-js/sdk} given
 * {@code http://gw/agents/echo} asks for {@code http://gw/agents/.well-known/agent-card.json}, a path no route has. When
 * exactly one A2A route sits directly under that directory, the card GET is the card of that route; when several do,
 * the client's URL is ambiguous and the answer says to give the route's URL with a trailing slash.
 */
final class AgentCardFallback {

    private static final List<String> CARD_PATHS = List.of("/.well-known/agent-card.json", "/.well-known/agent.json");

    private AgentCardFallback() {
    }

    /** The match of the one A2A route whose card this GET must mean, or null. */
    static RouteMatch match(GatewaySnapshot snapshot, String method, String path, String query) {
        List<RouteConfig> candidates = candidates(snapshot, method, path);
        if (candidates.size() != 1) {
            return null;
        }
        return snapshot.routes().match(candidates.get(0).path() + cardSuffix(path), query);
    }

    /** For a card GET no route serves: how to point an A2A client at the gateway, or null when the path is no card path. */
    static String hint(GatewaySnapshot snapshot, String method, String path) {
        List<RouteConfig> candidates = candidates(snapshot, method, path);
        if (candidates.isEmpty()) {
            return null;
        }
        return "A2A clients look for the card relative to the URL they are given: give them the route's URL with a trailing slash, one of "
                + String.join(", ", candidates.stream().map(r -> r.path() + "/").toList());
    }

    private static List<RouteConfig> candidates(GatewaySnapshot snapshot, String method, String path) {
        String suffix = cardSuffix(path);
        if (!"GET".equals(method) || suffix == null) {
            return List.of();
        }
        String directory = path.substring(0, path.length() - suffix.length());
        return snapshot.config().routes().stream()
                .filter(r -> r.protocol() == Protocol.A2A && r.path().lastIndexOf('/') >= 0
                        && r.path().substring(0, r.path().lastIndexOf('/')).equals(directory))
                .toList();
    }

    private static String cardSuffix(String path) {
        return CARD_PATHS.stream().filter(path::endsWith).findFirst().orElse(null);
    }
}
