package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request ids in flight in each upstream MCP session. A stateful server pairs an answer with the stream of the
 * last POST that carried its id (the TypeScript SDK's transport keeps one stream per id), so a second POST reusing an
 * id still in flight would receive the first call's result, checked against the second call's tool by the gateway's
 * result rules (found in review: a card number passed as another tool's result). Process-wide; a session whose POSTs
 * reach several replicas is checked on each replica only.
 */
public final class SessionRequestIds {

    private record Key(String route, String session, JsonNode id) {
    }

    private final Set<Key> inFlight = ConcurrentHashMap.newKeySet();

    /** The ids taken for a call, or the id that was already in flight (then nothing is taken). */
    public sealed interface Claim permits Taken, InFlight {
    }

    /** Give these back when the call completes, however it ends. */
    public record Taken(Runnable release) implements Claim {
    }

    public record InFlight(JsonNode id) implements Claim {
    }

    /** Takes every id of a call in the route's upstream session {@code session}. */
    public Claim claim(String route, String session, List<JsonNode> ids) {
        List<Key> taken = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            Key key = new Key(route, session, id);
            if (!inFlight.add(key)) {
                taken.forEach(inFlight::remove);
                return new InFlight(id);
            }
            taken.add(key);
        }
        return new Taken(() -> taken.forEach(inFlight::remove));
    }

    /** How many ids are in flight (for tests). */
    int size() {
        return inFlight.size();
    }
}
