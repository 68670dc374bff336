package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter of a 2026-07-28 {@code subscriptions/listen}: {@code params.notifications} names the change notifications
 * the stream carries, among them {@code resourceSubscriptions}, the resources whose updates it asks for. Those URIs name
 * resources as {@code resources/subscribe}'s {@code uri} did, so they are held to the same form and the same rules.
 */
public final class ListenFilter {

    private ListenFilter() {
    }

    /** The elements of {@code notifications.resourceSubscriptions} as sent (any JSON type); empty when there are none. */
    public static List<JsonNode> resourceSubscriptions(JsonNode params) {
        JsonNode list = params == null ? null : params.path("notifications").path("resourceSubscriptions");
        if (list == null || !list.isArray()) {
            return List.of();
        }
        List<JsonNode> uris = new ArrayList<>(list.size());
        list.forEach(uris::add);
        return uris;
    }
}
