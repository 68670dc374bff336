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
    /** At most this many abandoned ids are held (about 200 bytes each, whatever the id); beyond it the oldest is given back early. */
    static final int MAX_ABANDONED = 100_000;
    /**
     * At most this many of them are one caller's: beyond it that caller's oldest is given back early, so one caller
     * abandoning calls in a loop cannot push everyone else's holds out through {@link #MAX_ABANDONED} (review AG).
     */
    static final int MAX_ABANDONED_PER_CALLER = 10_000;

    /** An abandoned id; {@code givenBack} (under the lock) when its caller's share gave it back before its time. */
    private static final class Held {
        final Key key;
        final String caller;
        final long untilNanos;
        boolean givenBack;

        Held(Key key, String caller, long untilNanos) {
            this.key = key;
            this.caller = caller;
            this.untilNanos = untilNanos;
        }
    }

    /**
     * Each id in flight, with the tool its {@code tools/call} names ({@link #NOT_A_TOOL_CALL} for any other request): a
     * response to it on the session's GET stream (a resumed stream, SEP-1699) is that tool's result.
     */
    private final ConcurrentHashMap<Key, String> inFlight = new ConcurrentHashMap<>();
    /** What an id of a request other than {@code tools/call} maps to. */
    static final String NOT_A_TOOL_CALL = "";
    /** Oldest first; guarded by itself. Rarely touched: only calls that end without their answer land here. */
    private final java.util.ArrayDeque<Held> abandoned = new java.util.ArrayDeque<>();
    /** The same, each caller's still held, oldest first; guarded by {@link #abandoned}. */
    private final java.util.HashMap<String, java.util.ArrayDeque<Held>> abandonedBy = new java.util.HashMap<>();
    /** The deque's size, read without the lock so that a claim takes no lock while nothing is held. */
    private volatile int abandonedCount;

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

    /** Takes every id of a call of an unknown caller (all such share one caller's share of abandoned ids). */
    public Claim claim(String route, String session, List<JsonNode> ids, List<String> tools) {
        return claim(route, session, null, ids, tools);
    }

    /**
     * Takes every id of a call in the route's upstream session {@code session}.
     *
     * @param caller who sent the call ({@code CallerKey}), null when unknown: its share of held abandoned ids
     * @param tools  for each id, the tool its {@code tools/call} names, or {@link #NOT_A_TOOL_CALL}
     */
    public Claim claim(String route, String session, String caller, List<JsonNode> ids, List<String> tools) {
        giveBackExpired(System.nanoTime());
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
        String owner = caller == null ? "" : caller;
        return new Taken(() -> taken.forEach(inFlight::remove), () -> hold(taken, owner, System.nanoTime()));
    }

    private void hold(List<Key> keys, String caller, long now) {
        synchronized (abandoned) {
            java.util.ArrayDeque<Held> callers = abandonedBy.computeIfAbsent(caller, c -> new java.util.ArrayDeque<>());
            for (Key key : keys) {
                Held held = new Held(key, caller, now + ABANDONED_HOLD.toNanos());
                abandoned.addLast(held);
                callers.addLast(held);
            }
            while (callers.size() > MAX_ABANDONED_PER_CALLER) {
                Held oldest = callers.removeFirst();
                oldest.givenBack = true; // left in the deque (removing it there costs a scan); skipped when it comes out
                inFlight.remove(oldest.key);
            }
            while (abandoned.size() > MAX_ABANDONED) {
                giveBack(abandoned.removeFirst());
            }
            abandonedCount = abandoned.size();
        }
    }

    /** Gives back an id leaving the deque (its hold ended), unless its caller's share already did. Under the lock. */
    private void giveBack(Held held) {
        if (held.givenBack) {
            return;
        }
        inFlight.remove(held.key);
        java.util.ArrayDeque<Held> callers = abandonedBy.get(held.caller);
        // All holds last as long and are added under one lock: a caller's oldest is the one leaving the deque.
        callers.removeFirst();
        if (callers.isEmpty()) {
            abandonedBy.remove(held.caller);
        }
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

    private void giveBackExpired(long now) {
        if (abandonedCount == 0) {
            return;
        }
        synchronized (abandoned) {
            while (!abandoned.isEmpty() && abandoned.peekFirst().untilNanos - now <= 0) {
                giveBack(abandoned.removeFirst());
            }
            abandonedCount = abandoned.size();
        }
    }

    /** How many ids are in flight (for tests). */
    int size() {
        return inFlight.size();
    }
}
