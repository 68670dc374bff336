package dev.tollgate.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.Identity;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Sealed session ids that also name the upstream instance holding the session: what opens and what does not. */
class SealedSessionsTest {

    private static final String INSTANCE = "http://10.0.0.7:3001/mcp";

    @Test
    void theInstanceTravelsSealedWithTheSession() {
        SealedSessions sessions = TestSessions.sealer();
        String sealed = sessions.seal("tools", Identity.ANONYMOUS, "upstream-42", INSTANCE, Instant.now());
        assertThat(sealed).doesNotContain("10.0.0.7").doesNotContain("upstream-42").matches("[A-Za-z0-9_-]+");
        assertThat(sessions.open("tools", Identity.ANONYMOUS, sealed, Instant.now()))
                .isEqualTo(new SealedSessions.Valid("upstream-42", INSTANCE));
        assertThat(sessions.open("tools", Identity.ANONYMOUS, sessions.seal("tools", Identity.ANONYMOUS, "u", Instant.now()), Instant.now()))
                .isEqualTo(new SealedSessions.Valid("u", null));
    }

    @Test
    void aCursorSealedToAListingOpensForThatListingOnly() {
        SealedSessions sessions = TestSessions.sealer();
        byte[] working = new byte[32];
        byte[] completed = new byte[32];
        completed[31] = 1;
        String sealed = sessions.sealCursor("agents", Identity.ANONYMOUS, working, "MjAyNnx0LTE=", null, Instant.now());
        assertThat(sessions.openCursor("agents", Identity.ANONYMOUS, working, sealed, Instant.now()))
                .isEqualTo(new SealedSessions.Valid("MjAyNnx0LTE=", null));
        // Review AH: replayed under another filter, the agent's token told whether another caller's task passes it.
        assertThat(sessions.openCursor("agents", Identity.ANONYMOUS, completed, sealed, Instant.now()))
                .isEqualTo(new SealedSessions.Unknown("the seal does not open for this caller and this listing on this route"));
        assertThat(sessions.openCursor("agents", Identity.ANONYMOUS, sealed, Instant.now())).as("opened as a cursor bound to no listing")
                .isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openCursor("agents", Identity.ANONYMOUS, working,
                sessions.sealCursor("agents", Identity.ANONYMOUS, "MjAyNnx0LTE=", null, Instant.now()), Instant.now()))
                .as("a cursor bound to no listing").isInstanceOf(SealedSessions.Unknown.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sessions.sealCursor("agents", Identity.ANONYMOUS, new byte[31], "t", null, Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdEditedToAnotherVersionOrRouteDoesNotOpen() {
        SealedSessions sessions = TestSessions.sealer();
        byte[] raw = Base64.getUrlDecoder().decode(sessions.seal("tools", Identity.ANONYMOUS, "upstream-42", INSTANCE, Instant.now()));
        // The version byte is authenticated: read as the old layout, the instance would become part of the session id.
        raw[0] = 1;
        assertThat(sessions.open("tools", Identity.ANONYMOUS, Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Instant.now()))
                .isInstanceOf(SealedSessions.Unknown.class);
        raw[0] = 3;
        assertThat(sessions.open("tools", Identity.ANONYMOUS, Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Instant.now()))
                .isInstanceOf(SealedSessions.Unknown.class);
        String sealed = sessions.seal("tools", Identity.ANONYMOUS, "upstream-42", INSTANCE, Instant.now());
        assertThat(sessions.open("other", Identity.ANONYMOUS, sealed, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        for (int i = 17; i < Base64.getUrlDecoder().decode(sealed).length; i += 7) {
            byte[] edited = Base64.getUrlDecoder().decode(sealed);
            edited[i] ^= 1;
            assertThat(sessions.open("tools", Identity.ANONYMOUS, Base64.getUrlEncoder().withoutPadding().encodeToString(edited), Instant.now()))
                    .as("byte %d flipped", i).isInstanceOf(SealedSessions.Unknown.class);
        }
    }

    @Test
    void eventIdsOpenOnlyAsEventIdsForTheirCallerAndSessionIdsNeverAsEventIds() {
        SealedSessions sessions = TestSessions.sealer();
        Identity acme = new Identity("spiffe://prod/agent", "acme", "a", null, null, null, null, java.util.List.of(), java.util.Map.of());
        String event = sessions.sealEventId("tools", acme, "stream-1_42", new StreamCall("\"a-1\"", "fetch_page"), Instant.now());
        assertThat(event).doesNotContain("stream").doesNotContain("fetch").matches("[A-Za-z0-9_-]+");
        assertThat(sessions.openEventId("tools", acme, event, Instant.now())).isEqualTo(new SealedSessions.Event("stream-1_42", new StreamCall("\"a-1\"", "fetch_page")));
        assertThat(sessions.openEventId("tools", Identity.ANONYMOUS, event, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openEventId("other", acme, event, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.open("tools", acme, event, Instant.now())).as("an event id is no session id").isInstanceOf(SealedSessions.Unknown.class);
        String session = sessions.seal("tools", acme, "stream-1_42", Instant.now());
        assertThat(sessions.openEventId("tools", acme, session, Instant.now())).as("a session id is no event id")
                .isInstanceOf(SealedSessions.Unknown.class);
        byte[] raw = Base64.getUrlDecoder().decode(event);
        raw[0] = 2; // the version byte is authenticated: an event id edited to read as a session id does not open
        assertThat(sessions.open("tools", acme, Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Instant.now()))
                .isInstanceOf(SealedSessions.Unknown.class);
    }

    @Test
    void anAskClientRequestStateOpensOnlyAsOneForItsCallerAndNoOtherKindOpensAsOne() {
        SealedSessions sessions = TestSessions.sealer();
        Identity acme = new Identity("spiffe://prod/agent", "acme", "a", null, null, null, null, java.util.List.of(), java.util.Map.of());
        Identity globex = new Identity("spiffe://prod/agent", "globex", "a", null, null, null, null, java.util.List.of(), java.util.Map.of());
        String state = sessions.sealApprovalState("tools", acme, "apr_1 1700000000000", "digest-of-the-call", Instant.now());
        assertThat(state).doesNotContain("apr_1").matches("[A-Za-z0-9_-]+");
        assertThat(sessions.writtenAsApprovalState(state)).isTrue();
        assertThat(sessions.openApprovalState("tools", acme, state, Instant.now()))
                .isEqualTo(new SealedSessions.Valid("apr_1 1700000000000", "digest-of-the-call"));
        assertThat(sessions.openApprovalState("tools", globex, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openApprovalState("other", acme, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        // Never a session id, an event id or a cursor; and none of those is ever an approval state.
        assertThat(sessions.open("tools", acme, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openEventId("tools", acme, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openCursor("tools", acme, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        for (String other : java.util.List.of(sessions.seal("tools", acme, "apr_1 1700000000000", "digest-of-the-call", Instant.now()),
                sessions.sealCursor("tools", acme, "apr_1 1700000000000", "digest-of-the-call", Instant.now()),
                sessions.sealEventId("tools", acme, "apr_1 1700000000000", null, Instant.now()))) {
            assertThat(sessions.writtenAsApprovalState(other)).isFalse();
            assertThat(sessions.openApprovalState("tools", acme, other, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
            byte[] raw = Base64.getUrlDecoder().decode(other);
            raw[0] = 17; // relabelled as an approval state: the version byte is authenticated
            assertThat(sessions.openApprovalState("tools", acme, Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Instant.now()))
                    .isInstanceOf(SealedSessions.Unknown.class);
        }
        assertThat(sessions.writtenAsApprovalState("not base64 !")).isFalse();
        // An upstream's own opaque state that merely starts with the kind byte is not the gateway's (no key tag of ours).
        byte[] lookalike = new byte[64];
        lookalike[0] = 17;
        assertThat(sessions.writtenAsApprovalState(Base64.getUrlEncoder().withoutPadding().encodeToString(lookalike))).isFalse();
        // Another gateway's (another key's) state is not this one's either.
        SealedSessions elsewhere = new SealedSessions(new dev.tollgate.gateway.config.SessionConfig(
                java.util.List.of(new dev.tollgate.gateway.config.SessionConfig.Key("another-gateway", new byte[32])),
                dev.tollgate.gateway.config.SessionConfig.DEFAULT_MAX_AGE));
        assertThat(elsewhere.writtenAsApprovalState(state)).isFalse();
        assertThat(sessions.writtenAsApprovalState("")).isFalse();
    }
}
