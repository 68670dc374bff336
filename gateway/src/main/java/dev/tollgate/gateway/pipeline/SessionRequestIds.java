package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request ids in flight in each upstream MCP session. A stateful server pairs an answer with the stream of the
 * last POST that carried its id (the TypeScript SDK's transport keeps one stream per id), so a second POST reusing an
 * id still in flight would receive the first call's result, checked against the second call's tool by the gateway's
 * result rules (found in review: a card number passed as another tool's result). Process-wide; a session whose POSTs
 * reach several replicas is checked on each replica only.
 */
public final class SessionRequestIds {

    /**
     * One id of one session. {@code id} is the id itself when short, else a digest of it ({@link HeldIds#keyOf}): the id is the
     * client's to choose, up to the body limit, and an abandoned one is held for {@link #ABANDONED_HOLD} (review AG: six
     * abandoned calls with 3 MiB ids kept 18 MiB of heap for 15 minutes).
     */
    private record Key(String route, String session, JsonNode id) {
    }


    /**
     * How long the ids of a call the upstream may still be running stay taken: the client went away, the gateway timed
     * out or the stream ended before the answer. The TypeScript SDK keeps running such a call and sends its late result
     * to whichever POST carries the id next, so the id is not given back at once.
     */
    static final java.time.Duration ABANDONED_HOLD = java.time.Duration.ofMinutes(15);
    /**
     * At most this many abandoned ids are held (about 200 bytes each, whatever the id); beyond it the largest share gives
     * back its oldest early, so a tenant abandoning calls cannot push out the holds of tenants holding fewer (review AI).
     */
    static final int MAX_ABANDONED = 100_000;
    /**
     * At most this many of them are one tenant's ({@code TenantKey}: its agents, runs and sub-users together); beyond it
     * that tenant's oldest is given back early (review AG, review AI: per {@code CallerKey}, one tenant's agent acting as
     * eleven users held eleven shares).
     */
    static final int MAX_ABANDONED_PER_CALLER = 10_000;

    /**
     * Each id in flight, with the tool its {@code tools/call} names ({@link #NOT_A_TOOL_CALL} for any other request): a
     * response to it on the session's GET stream (a resumed stream, SEP-1699) is that tool's result.
     */
    private final ConcurrentHashMap<Key, String> inFlight = new ConcurrentHashMap<>();
    /** What an id of a request other than {@code tools/call} maps to. */
    static final String NOT_A_TOOL_CALL = "";
    /** The ids of calls that ended without their answer, still taken; a hold that ends gives its id back. */
    private final AbandonedHolds<Key> abandoned = new AbandonedHolds<>(MAX_ABANDONED, MAX_ABANDONED_PER_CALLER,
            ABANDONED_HOLD.toNanos(), inFlight::remove);

    /** The ids taken for a call, or the id that was already in flight (then nothing is taken). */
    public sealed interface Claim permits Taken, InFlight {
    }

    /**
     * @param release give the ids back: the call ended with the upstream's answer, or was never forwarded
     * @param abandon keep them taken for {@link #ABANDONED_HOLD}: the upstream may still be running the call
     */
    public record Taken(Runnable release, Runnable abandon) implements Claim {
    }

    public record InFlight(JsonNode id) implements Claim {
    }

    /** Takes every id of a call in the route's upstream session {@code session} (none of them a {@code tools/call}). */
    public Claim claim(String route, String session, List<JsonNode> ids) {
        return claim(route, session, ids, java.util.Collections.nCopies(ids.size(), NOT_A_TOOL_CALL));
    }

    /** Takes every id of a call of an unknown caller (all such share one share of abandoned ids). */
    public Claim claim(String route, String session, List<JsonNode> ids, List<String> tools) {
        return claim(route, session, null, ids, tools);
    }

    /**
     * Takes every id of a call in the route's upstream session {@code session}.
     *
     * @param share  whose share of held abandoned ids the call's ids count against ({@code TenantKey}), null when unknown
     * @param tools  for each id, the tool its {@code tools/call} names, or {@link #NOT_A_TOOL_CALL}
     */
    public Claim claim(String route, String session, String share, List<JsonNode> ids, List<String> tools) {
        abandoned.giveBackExpired(System.nanoTime());
        List<Key> taken = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            Key key = new Key(route, session, HeldIds.keyOf(id));
            if (inFlight.putIfAbsent(key, tools.get(i)) != null) {
                taken.forEach(inFlight::remove);
                return new InFlight(id);
            }
            taken.add(key);
        }
        String owner = share == null ? "" : share;
        return new Taken(() -> taken.forEach(inFlight::remove), () -> abandoned.hold(taken, owner, System.nanoTime()));
    }

    /**
     * The tool of the {@code tools/call} in flight (or abandoned, its result still to come) with this id in the session,
     * or null when no {@code tools/call} with that id is, or there is no session (null): the answer's tool cannot be known.
     */
    public String pendingTool(String route, String session, JsonNode id) {
        if (session == null) {
            return null;
        }
        String tool = inFlight.get(new Key(route, session, HeldIds.keyOf(id)));
        return tool == null || tool.equals(NOT_A_TOOL_CALL) ? null : tool;
    }

    /** How many ids are in flight (for tests). */
    int size() {
        return inFlight.size();
    }
}
