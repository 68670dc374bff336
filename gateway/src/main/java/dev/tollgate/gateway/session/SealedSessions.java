package dev.tollgate.gateway.session;

import dev.tollgate.gateway.config.SessionConfig;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.mcp.RequestStateCall;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * MCP 2025-11-25 session ids that say who may use them. The gateway never hands a client the upstream's
 * {@code Mcp-Session-Id}: it hands a sealed one, AES-256-GCM over the upstream's id and the time it was
 * issued, with the route and the caller who created the session as associated data. A request naming a
 * session is forwarded with the upstream's id only when the seal opens for this route and this caller, and
 * is not older than the maximum age; anything else (another tenant's session, another route's, a forged,
 * edited or expired id) is a session the gateway does not know: 404, as MCP prescribes, and the client
 * starts a new one. No table is kept, so every replica with the same keys accepts every other's sessions.
 *
 * <p>The seal also holds which upstream instance issued the session, so any replica sends the session's requests to
 * that instance, with no shared session table, whatever the number of instances the route has then (review AY: earlier
 * versions sealed it only on routes with several, and a reload scaling the route out lost every session made before).
 *
 * <p>SSE event ids are sealed the same way (see {@link #sealEventId}): a stream is resumed ({@code Last-Event-ID}) only
 * by the caller it was relayed to, whatever ids the upstream's event store hands out.
 *
 * <p>Wire form: base64url (no padding) of {@code version(1) | keyTag(4) | nonce(12) | ciphertext+tag}; the
 * plaintext of version 2 is {@code issuedEpochSeconds(8) | instanceLength(2) | instanceUrl(UTF-8) | upstreamId(UTF-8)}
 * (empty when not known; earlier versions left it empty on one-instance routes); version 1, still opened, had no instance; version 3 is an event id, laid
 * out as version 2 with the call the stream answers ({@link StreamCall}: its request id and tool, UTF-8, empty when none)
 * where the instance is (still opened; version 6, written now, holds the instance that wrote the stream, a newline, then
 * the call); version 4 is a list cursor, laid out as version 2 (see {@link #sealCursor}), an A2A page token
 * with the digest of the listing it pages in its associated data; version 5 is an MCP
 * 2026-07-28 {@code requestState}, laid out as version 2, with the call it answers ({@link RequestStateCall}) in its
 * associated data (see {@link #sealRequestState}); version 17 is the gateway's own requestState of an ask-client question
 * (see {@link #sealApprovalState}), laid out as version 2 with the call it asks about where the instance is; version 18 is
 * a requestState relayed for a call an approval let through, laid out as version 5 (see {@link #sealApprovedRequestState}). Each version
 * is authenticated, so no kind opens as another. Visible ASCII only, as the specification asks of session ids.
 */
public final class SealedSessions {

    private static final byte VERSION = 2;
    private static final byte VERSION_WITHOUT_INSTANCE = 1;
    private static final byte VERSION_EVENT_ID = 3;
    private static final byte VERSION_CURSOR = 4;
    private static final byte VERSION_REQUEST_STATE = 5;
    /** An event id with the instance that wrote its stream (version 3 had none): see {@link #sealEventId}. */
    private static final byte VERSION_EVENT_ID_AT = 6;
    /**
     * The gateway's own requestState for an ask-client question put to a 2026-07-28 client: a number far from the others
     * so that a kind added meanwhile (upstream requestStates, say) cannot take it by accident when branches merge.
     */
    private static final byte VERSION_APPROVAL_STATE = 17;
    /**
     * A requestState relayed on an {@code input_required} answer to a call an approval let through (review BT): the
     * upstream's own state (or none), the approval and this round, bound like version 5 to the caller, the route and the
     * call ({@link #sealApprovedRequestState}).
     */
    private static final byte VERSION_APPROVED_REQUEST_STATE = 18;
    /** Room, past an upstream's state, for what an approved call's state names besides (its approval, this round). */
    private static final int APPROVED_STATE_OVERHEAD_BYTES = 512;
    private static final int TAG_BYTES = 4;
    /** A listing a cursor is bound to is a SHA-256 digest: of fixed length, it cannot run into the owner before it. */
    private static final int LISTING_DIGEST_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int GCM_TAG_BITS = 128;
    /** An upstream id longer than this is not sealed (the specification's ids are short; this bounds the header). */
    static final int MAX_UPSTREAM_ID_BYTES = 512;
    /**
     * An upstream requestState longer than this is not sealed (the answer carrying it is not relayed): a state travels in
     * bodies, not headers, and servers keep a call's state in it, so it may be far longer than an id; this bounds what a
     * client must send back (about 4/3 of it once sealed) well under the default request body limit.
     */
    public static final int MAX_REQUEST_STATE_BYTES = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Generated once per process when no key is configured: sessions then live as long as the process. */
    private static final SessionConfig.Key PROCESS_KEY = generatedKey();

    private record SealingKey(byte[] tag, SecretKeySpec key) {
    }

    private final List<SealingKey> keys;
    private final Duration maxAge;
    private final boolean generated;

    public SealedSessions(SessionConfig config) {
        List<SessionConfig.Key> configured = config.keys().isEmpty() ? List.of(PROCESS_KEY) : config.keys();
        List<SealingKey> list = new ArrayList<>();
        for (SessionConfig.Key key : configured) {
            list.add(new SealingKey(tagOf(key.id()), new SecretKeySpec(key.secret(), "AES")));
        }
        this.keys = List.copyOf(list);
        this.maxAge = config.maxAge();
        this.generated = config.keys().isEmpty();
    }

    /** How long a sealed value opens after it was issued. */
    public Duration maxAge() {
        return maxAge;
    }

    /** Whether the key was generated at start (sessions do not survive a restart or reach another replica). */
    public boolean usesGeneratedKey() {
        return generated;
    }

    /** The id to hand the client for the upstream's session id, bound to this route and caller. */
    public String seal(String route, Identity caller, String upstreamId, Instant now) {
        return seal(route, caller, upstreamId, null, now);
    }

    /**
     * The id to hand the client for the upstream's session id, bound to this route and caller.
     *
     * @param instance the URL of the upstream instance that holds the session (null: not known)
     */
    public String seal(String route, Identity caller, String upstreamId, String instance, Instant now) {
        return seal(VERSION, route, caller, upstreamId, instance, now);
    }

    /**
     * The id to hand the client for an SSE event id the upstream wrote, bound to this route and caller: a
     * {@code Last-Event-ID} opens (see {@link #openEventId}) only for the caller the event was relayed to. An upstream
     * event store that serves any session's events by id (one store for every session, ids a counter) then replays a
     * stream to its own caller only.
     *
     * @param call the call the stream answers (its one {@code tools/call}); null when it answers none or several
     * @throws IllegalArgumentException when the id is longer than {@value #MAX_UPSTREAM_ID_BYTES} bytes
     */
    public String sealEventId(String route, Identity caller, String upstreamEventId, StreamCall call, Instant now) {
        return sealEventId(route, caller, upstreamEventId, call, null, now);
    }

    /**
     * As {@link #sealEventId(String, Identity, String, StreamCall, Instant)}, with the upstream instance that wrote the
     * stream (review AY: a resumed stream must reach the instance whose event store holds it, whatever the number of
     * instances the route has when it is resumed). Sealed as version 6: the instance, a newline, then the call where
     * version 3 had the call alone (a URL holds no raw newline).
     *
     * @param instance the URL of the upstream instance that wrote the stream; null when not known
     */
    public String sealEventId(String route, Identity caller, String upstreamEventId, StreamCall call, String instance, Instant now) {
        String where = (instance == null ? "" : instance) + '\n' + (call == null ? "" : call.sealed());
        return seal(VERSION_EVENT_ID_AT, route, caller, upstreamEventId, where, now);
    }

    /**
     * The cursor to hand the client for the upstream's {@code nextCursor} of a {@code tasks/list} page, bound to this
     * route and caller: the upstream's cursor may name another caller's task (the TypeScript SDK's store pages from the
     * last task listed, by its id), and a cursor the client makes up must not reach the upstream (whether it names a task
     * is an existence oracle). Opened by {@link #openCursor} only for the caller it was handed to.
     *
     * @param instance the upstream instance that listed the page (null: not known)
     * @throws IllegalArgumentException when the cursor is longer than {@value #MAX_UPSTREAM_ID_BYTES} bytes
     */
    public String sealCursor(String route, Identity caller, String upstreamCursor, String instance, Instant now) {
        return seal(VERSION_CURSOR, route, caller, upstreamCursor, instance, now);
    }

    /** The upstream's own cursor for one the client sent: {@link Valid} only for the caller it was handed to, on this route. */
    public Opened openCursor(String route, Identity caller, String clientCursor, Instant now) {
        return open(route, caller, clientCursor, now, VERSION_CURSOR);
    }

    /**
     * A list cursor bound to the listing it pages as well ({@link #sealCursor(String, Identity, String, String, Instant)}
     * otherwise): an A2A ListTasks page token, whose agent pages from a task the listing's filter must still pass, so a
     * token replayed under another filter told whether another caller's task passes it (review AH). The listing is
     * associated data of fixed length (a digest), so no cursor opens for another caller or listing.
     *
     * @param listing the digest of the listing's parameters ({@code A2aListing}), 32 bytes
     */
    public String sealCursor(String route, Identity caller, byte[] listing, String upstreamCursor, String instance, Instant now) {
        return seal(VERSION_CURSOR, route, caller, listing(listing), upstreamCursor, MAX_UPSTREAM_ID_BYTES, instance, now);
    }

    /** The upstream's own cursor for one the client sent: {@link Valid} only for the caller, route and listing it was handed out for. */
    public Opened openCursor(String route, Identity caller, byte[] listing, String clientCursor, Instant now) {
        return open(route, caller, listing(listing), clientCursor, now, VERSION_CURSOR);
    }

    private static byte[] listing(byte[] digest) {
        if (digest == null || digest.length != LISTING_DIGEST_BYTES) {
            throw new IllegalArgumentException("a listing digest is " + LISTING_DIGEST_BYTES + " bytes");
        }
        return digest;
    }

    /**
     * The {@code requestState} to hand the client for the one an upstream's {@code input_required} answer carries, bound
     * to this route, this caller and the call it answers: behind the gateway every caller is the same one to the upstream
     * (credentials are not forwarded), so a server binding its state to the caller it sees cannot tell one from another,
     * and a server trusting its state would act on one the caller made up. Opened by {@link #openRequestState} only for the
     * same caller, route and call.
     *
     * @param instance the upstream instance that answered (null: not known)
     * @throws IllegalArgumentException when the state is longer than {@value #MAX_REQUEST_STATE_BYTES} bytes
     */
    public String sealRequestState(String route, Identity caller, RequestStateCall call, String upstreamState, String instance, Instant now) {
        return seal(VERSION_REQUEST_STATE, route, caller, call.bytes(), upstreamState, MAX_REQUEST_STATE_BYTES, instance, now);
    }

    /** The upstream's own requestState for one the client sent: {@link Valid} only for the caller, route and call it was relayed to. */
    public Opened openRequestState(String route, Identity caller, RequestStateCall call, String clientState, Instant now) {
        return open(route, caller, call.bytes(), clientState, now, VERSION_REQUEST_STATE);
    }

    /**
     * The {@code requestState} to hand the client on an {@code input_required} answer to a call an approval let through:
     * bound as {@link #sealRequestState} is (this route, this caller, this call), and of its own kind, so a state relayed
     * for a call no approval let through never opens as one that did. Opened by {@link #openApprovedRequestState} only.
     *
     * @param approved what the gateway writes of the approval and this round, then the upstream's state if it sent one
     * @param instance the upstream instance that answered (null: not known)
     * @throws IllegalArgumentException when the state is longer than {@value #MAX_REQUEST_STATE_BYTES} bytes
     */
    public String sealApprovedRequestState(String route, Identity caller, RequestStateCall call, String approved, String instance, Instant now) {
        return seal(VERSION_APPROVED_REQUEST_STATE, route, caller, call.bytes(), approved, MAX_REQUEST_STATE_BYTES + APPROVED_STATE_OVERHEAD_BYTES,
                instance, now);
    }

    /** What an approved call's requestState the client sent holds: {@link Valid} only for the caller, route and call it was relayed to. */
    public Opened openApprovedRequestState(String route, Identity caller, RequestStateCall call, String clientState, Instant now) {
        return open(route, caller, call.bytes(), clientState, now, VERSION_APPROVED_REQUEST_STATE);
    }

    /**
     * The requestState the gateway hands a 2026-07-28 client with its own ask-client question (an {@code input_required}
     * answer), bound to this route and caller: it names the approval and the call asked about, so the client's retry is
     * taken as the answer only from that caller, for that call. Opened by {@link #openApprovalState} only.
     *
     * @param approval the approval asked about (its id and when it was held), as the gateway writes it
     * @param call     the call asked about (method, target and a digest of the arguments), as the gateway writes it
     */
    public String sealApprovalState(String route, Identity caller, String approval, String call, Instant now) {
        return seal(VERSION_APPROVAL_STATE, route, caller, approval, call, now);
    }

    /**
     * The approval and call a requestState the client sent names: {@link Valid} ({@code upstreamId} the approval,
     * {@code instance} the call) only for the caller it was handed to, on this route.
     */
    public Opened openApprovalState(String route, Identity caller, String clientState, Instant now) {
        return open(route, caller, clientState, now, VERSION_APPROVAL_STATE);
    }

    /**
     * Whether a value is written as the gateway's ask-client requestState (its kind and the tag of a key held here, in
     * clear, and room for a seal), whether or not it opens for this caller: such a value is the gateway's to take or
     * refuse, never the upstream's to read. The key tag makes an upstream's own opaque state that happens to start with
     * the kind byte (1 in 256 random base64url values) read as ours only once in 2^40.
     */
    public boolean writtenAsApprovalState(String clientState) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(clientState);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (raw.length < 1 + TAG_BYTES + NONCE_BYTES + GCM_TAG_BITS / 8 + 8 || raw[0] != VERSION_APPROVAL_STATE) {
            return false;
        }
        byte[] tag = java.util.Arrays.copyOfRange(raw, 1, 1 + TAG_BYTES);
        return keys.stream().anyMatch(k -> MessageDigest.isEqual(k.tag(), tag));
    }

    private String seal(byte version, String route, Identity caller, String upstreamId, String instance, Instant now) {
        return seal(version, route, caller, null, upstreamId, MAX_UPSTREAM_ID_BYTES, instance, now);
    }

    /** @param call what else the seal is bound to (associated data), null for ids bound to the route and caller alone */
    private String seal(byte version, String route, Identity caller, byte[] call, String upstreamId, int maxBytes, String instance, Instant now) {
        byte[] id = upstreamId.getBytes(StandardCharsets.UTF_8);
        if (id.length > maxBytes) {
            throw new IllegalArgumentException("upstream value longer than " + maxBytes + " bytes");
        }
        byte[] where = instance == null ? new byte[0] : instance.getBytes(StandardCharsets.UTF_8);
        if (where.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("instance URL or tool name too long to seal");
        }
        SealingKey key = keys.get(0);
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] plain = ByteBuffer.allocate(8 + 2 + where.length + id.length).putLong(now.getEpochSecond())
                .putShort((short) where.length).put(where).put(id).array();
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, version, key.key(), nonce, route, caller, call);
            byte[] sealed = cipher.doFinal(plain);
            ByteBuffer out = ByteBuffer.allocate(1 + TAG_BYTES + NONCE_BYTES + sealed.length)
                    .put(version).put(key.tag()).put(nonce).put(sealed);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** What a client's session or event id opens to. */
    public sealed interface Opened permits Valid, Event, Unknown {
    }

    /**
     * The upstream's own session id, for this route and caller.
     *
     * @param instance the URL of the upstream instance that holds it; null when the id does not say (sealed by an earlier
     *                 version on a one-instance route)
     */
    public record Valid(String upstreamId, String instance) implements Opened {
    }

    /**
     * The upstream's own event id, for this route and caller.
     *
     * @param call     the call the stream answered; null when it answered none or several
     * @param instance the URL of the upstream instance that wrote the stream; null when the id does not say (an id sealed
     *                 by an earlier version, which sealed none)
     */
    public record Event(String upstreamId, StreamCall call, String instance) implements Opened {

        public Event(String upstreamId, StreamCall call) {
            this(upstreamId, call, null);
        }
    }

    /** Not a session of this caller on this route (the detail is for logs; the client is told only "unknown"). */
    public record Unknown(String detail) implements Opened {
    }

    public Opened open(String route, Identity caller, String clientId, Instant now) {
        return open(route, caller, clientId, now, VERSION);
    }

    /** The upstream's own event id for a {@code Last-Event-ID} the client sent: an {@link Event} only for the caller it was relayed to. */
    public Opened openEventId(String route, Identity caller, String clientId, Instant now) {
        return open(route, caller, clientId, now, VERSION_EVENT_ID_AT);
    }

    private Opened open(String route, Identity caller, String clientId, Instant now, byte kind) {
        return open(route, caller, null, clientId, now, kind);
    }

    /**
     * @param call what else the seal must be bound to (a requestState's call), null for the other kinds
     * @param kind {@link #VERSION} for a session id (version 1 too), {@link #VERSION_EVENT_ID_AT} (version 3 too), {@link #VERSION_CURSOR},
     *             {@link #VERSION_REQUEST_STATE}, {@link #VERSION_APPROVED_REQUEST_STATE} or {@link #VERSION_APPROVAL_STATE}
     */
    /** What opening a requestState of another kind (or none) than the one asked for gives: the caller tries the other kind. */
    public static final Unknown NOT_A_RELAYED_STATE = new Unknown("not a requestState this gateway relayed");

    private Opened open(String route, Identity caller, byte[] call, String clientId, Instant now, byte kind) {
        boolean eventId = kind == VERSION_EVENT_ID_AT;
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(clientId);
        } catch (IllegalArgumentException e) {
            return new Unknown("not an id this gateway issued (not base64url)");
        }
        int header = 1 + TAG_BYTES + NONCE_BYTES;
        byte version = raw.length == 0 ? 0 : raw[0];
        boolean known = kind == VERSION ? version == VERSION || version == VERSION_WITHOUT_INSTANCE
                : eventId ? version == VERSION_EVENT_ID_AT || version == VERSION_EVENT_ID : version == kind;
        if (raw.length < header + GCM_TAG_BITS / 8 + 8 || !known) {
            return new Unknown(eventId ? "not an event id this gateway relayed" : kind == VERSION_CURSOR ? "not a cursor this gateway handed out"
                    : kind == VERSION_REQUEST_STATE || kind == VERSION_APPROVED_REQUEST_STATE ? NOT_A_RELAYED_STATE.detail()
                    : kind == VERSION_APPROVAL_STATE ? "not a requestState this gateway handed out" : "not a session id this gateway issued");
        }
        byte[] tag = java.util.Arrays.copyOfRange(raw, 1, 1 + TAG_BYTES);
        SealingKey key = keys.stream().filter(k -> MessageDigest.isEqual(k.tag(), tag)).findFirst().orElse(null);
        if (key == null) {
            return new Unknown("sealed with a key this gateway does not hold");
        }
        byte[] nonce = java.util.Arrays.copyOfRange(raw, 1 + TAG_BYTES, header);
        byte[] plain;
        try {
            plain = cipher(Cipher.DECRYPT_MODE, version, key.key(), nonce, route, caller, call).doFinal(raw, header, raw.length - header);
        } catch (GeneralSecurityException e) {
            // The tag covers route and caller (and a requestState's call): another caller's, another route's, another
            // call's, or an edited id.
            return new Unknown(call == null ? "the seal does not open for this caller on this route"
                    : kind == VERSION_CURSOR ? "the seal does not open for this caller and this listing on this route"
                    : "the seal does not open for this caller and this call on this route");
        }
        ByteBuffer plainBuffer = ByteBuffer.wrap(plain);
        Instant issued = Instant.ofEpochSecond(plainBuffer.getLong());
        if (issued.plus(maxAge).isBefore(now)) {
            return new Unknown("issued " + issued + ", older than the maximum age " + maxAge);
        }
        if (version == VERSION_WITHOUT_INSTANCE) {
            return new Valid(new String(plain, 8, plain.length - 8, StandardCharsets.UTF_8), null);
        }
        // Authenticated by the tag above: a length that does not fit is a bug of ours, not an attacker's edit.
        int instanceLength = plainBuffer.getShort();
        String instance = instanceLength == 0 ? null : new String(plain, 10, instanceLength, StandardCharsets.UTF_8);
        String upstreamId = new String(plain, 10 + instanceLength, plain.length - 10 - instanceLength, StandardCharsets.UTF_8);
        if (version == VERSION_EVENT_ID) {
            return new Event(upstreamId, StreamCall.unsealed(instance), null);
        }
        if (eventId) {
            String where = instance == null ? "" : instance;
            int newline = where.indexOf('\n');
            String writer = newline <= 0 ? null : where.substring(0, newline);
            return new Event(upstreamId, StreamCall.unsealed(newline < 0 ? null : where.substring(newline + 1)), writer);
        }
        return new Valid(upstreamId, instance);
    }

    /** Version 2 authenticates its version byte too: an id edited to read as version 1 does not open. */
    /**
     * One cipher object per thread, initialised afresh for every id: {@code Cipher.getInstance} walks the providers
     * and cost about as much as the AES-GCM work itself on every request naming a session.
     */
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    });

    private static Cipher cipher(int mode, byte version, SecretKeySpec key, byte[] nonce, String route, Identity caller, byte[] call)
            throws GeneralSecurityException {
        Cipher cipher = CIPHERS.get();
        cipher.init(mode, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
        if (version != VERSION_WITHOUT_INSTANCE) {
            cipher.updateAAD(new byte[] {version});
        }
        cipher.updateAAD(associatedData(route, caller));
        if (call != null) {
            cipher.updateAAD(call);
        }
        return cipher;
    }

    /**
     * Who the session belongs to: the route, the workload (SPIFFE ID), the AXID tenant and agent, and on routes where
     * the gateway validates tokens the OAuth subject, client and issuer, each length-prefixed so no two different
     * owners serialize alike. An anonymous caller owns sessions only as "anonymous on this route".
     */
    static byte[] associatedData(String route, Identity caller) {
        Object subject = caller.claims().get("oauth_sub");
        Object client = caller.claims().get("client_id");
        Object issuer = caller.claims().get(CallerKey.OAUTH_ISSUER);
        // The OAuth caller binds the session too, as parts only present on OAuth routes (so other ids still open).
        // Review: the subject alone let two clients whose tokens have no subject (client credentials) share sessions.
        // The AXID's sub-user binds it as well (review V: two users of one tenant's agent shared sessions), as a part present
        // only when named: sessions of callers without one still open after an upgrade, and the part count (each part
        // length-prefixed) keeps the forms apart.
        List<String> owner = new ArrayList<>(java.util.Arrays.asList(route, caller.spiffeId(), caller.tenant(), caller.agent()));
        if (caller.subUser() != null) {
            owner.add(caller.subUser());
        }
        if (subject != null || client != null) {
            owner.addAll(java.util.Arrays.asList(text(subject), text(client), text(issuer)));
        }
        return dev.tollgate.protocols.json.LengthPrefixed.encode(owner.toArray(String[]::new));
    }

    private static String text(Object claim) {
        return claim == null ? null : claim.toString();
    }

    private static byte[] tagOf(String keyId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyId.getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(digest, TAG_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SessionConfig.Key generatedKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new SessionConfig.Key("generated-" + Long.toHexString(RANDOM.nextLong()), secret);
    }
}
