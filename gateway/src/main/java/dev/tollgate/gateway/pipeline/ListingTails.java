package dev.tollgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * The end of what one page of a listing showed, for the page after it (review AX): the MCP clients' {@code listTools()}
 * (and prompts', resources', templates') walk every page and hand the model one list, in which the last entry of a page
 * sits right before the first of the next. A phrase split across a page break ("Ignore all previous" | "instructions
 * ...") is read whole only if the next page's first entry is read after the previous page's last shown one, as
 * {@link ListPolicing} reads two entries of one page. Each page's tail ({@link ShownTexts#readTail}: the last
 * {@link ResultPolicing#STREAM_TAIL_CHARS} characters as the detectors read them) is kept under the {@code nextCursor}
 * the gateway handed out with it, for the caller and route it was listed to, and joined before the first entry of the
 * page asked for with that cursor.
 *
 * <p>Process-wide, shared by every event loop, and bounded: at most {@link #MAX_TAILS} tails (a key is a SHA-256 digest,
 * whatever the cursor's length; a value at most {@value ResultPolicing#STREAM_TAIL_CHARS} characters: under 1 KB an
 * entry, under 10 MB in all),
 * each kept {@link #KEPT_FOR} after its page was listed. A page asked for once its tail is gone (expired, evicted by
 * others' listings, listed through another replica, before a restart) is read on its own, as any first page is.
 * The cursors of these lists are the upstream's own, relayed as they are (a client may hand one back that it kept), so
 * the tail cannot travel sealed inside them as a {@code tasks/list} cursor's state could.
 *
 * <p>The same store keeps the end of an MCP stream's text under the upstream's id of each event relayed (review DE), for
 * a GET resuming the stream from that event ({@code Last-Event-ID}): the client reads the two as one stream.
 */
public final class ListingTails {

    /** How many page tails are kept at most, all routes and callers together. */
    static final int MAX_TAILS = 10_000;
    /** How long a page's tail is kept: a client walking a listing asks for the next page right away. */
    static final Duration KEPT_FOR = Duration.ofMinutes(10);

    private final Cache<String, String> tails = Caffeine.newBuilder().maximumSize(MAX_TAILS).expireAfterWrite(KEPT_FOR).build();

    /** Keeps the tail of the page listed to {@code caller} on {@code route} whose {@code member} list goes on at {@code cursor}. */
    void kept(String route, Identity caller, String member, String cursor, String tail) {
        if (cursor == null || tail == null || tail.isEmpty()) {
            return;
        }
        tails.put(key(route, caller, member, cursor), tail);
    }

    /** The tail of the page before the one {@code cursor} asks for, when this caller was handed that cursor here; else null. */
    String before(String route, Identity caller, String member, String cursor) {
        return cursor == null ? null : tails.getIfPresent(key(route, caller, member, cursor));
    }

    /**
     * A digest of the route, the caller ({@link CallerKey}; anonymous callers of a route share theirs: the tail is the
     * upstream's text, so one only reads another's listing as strictly), the list and the cursor, each length-prefixed.
     */
    private static String key(String route, Identity caller, String member, String cursor) {
        String owner = caller == null ? null : CallerKey.of(caller);
        byte[] encoded = dev.tollgate.protocols.json.LengthPrefixed.encode(route, owner == null ? "" : owner, member, cursor);
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
