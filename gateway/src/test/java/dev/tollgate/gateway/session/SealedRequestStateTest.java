package dev.tollgate.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.mcp.RequestStateCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** requestStates sealed to a caller, a route and a call (version 5): what opens, and that no other kind opens as one. */
class SealedRequestStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Identity ACME = new Identity("spiffe://prod/agent", "acme", "a", null, null, null, null, List.of(), Map.of());
    private static final Identity GLOBEX = new Identity("spiffe://prod/agent", "globex", "a", null, null, null, null, List.of(), Map.of());
    private final SealedSessions sessions = TestSessions.sealer();

    private static RequestStateCall call(String method, String params) throws Exception {
        return RequestStateCall.of(method, JSON.readTree(params));
    }

    @Test
    void aStateOpensForItsCallerRouteAndCallOnly() throws Exception {
        RequestStateCall transfer = call("tools/call", "{\"name\":\"transfer\",\"arguments\":{\"to\":\"bob\"}}");
        String sealed = sessions.sealRequestState("tools", ACME, transfer, "up-state", "http://10.0.0.7/mcp", Instant.now());

        assertThat(sealed).doesNotContain("up-state").matches("[A-Za-z0-9_-]+");
        assertThat(sessions.openRequestState("tools", ACME, transfer, sealed, Instant.now()))
                .isEqualTo(new SealedSessions.Valid("up-state", "http://10.0.0.7/mcp"));
        assertThat(sessions.openRequestState("tools", GLOBEX, transfer, sealed, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openRequestState("other", ACME, transfer, sealed, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        for (RequestStateCall other : List.of(call("tools/call", "{\"name\":\"transfer\",\"arguments\":{\"to\":\"mallory\"}}"),
                call("tools/call", "{\"name\":\"pay\",\"arguments\":{\"to\":\"bob\"}}"),
                call("prompts/get", "{\"name\":\"transfer\",\"arguments\":{\"to\":\"bob\"}}"))) {
            assertThat(sessions.openRequestState("tools", ACME, other, sealed, Instant.now())).as(other.toString())
                    .isEqualTo(new SealedSessions.Unknown("the seal does not open for this caller and this call on this route"));
        }
        assertThat(sessions.openRequestState("tools", ACME, transfer, sealed, Instant.now().plus(dev.tollgate.gateway.config.SessionConfig.DEFAULT_MAX_AGE).plusSeconds(5)))
                .as("expired").isInstanceOf(SealedSessions.Unknown.class);
    }

    @Test
    void noOtherKindOpensAsAStateNorAStateAsAnotherKind() throws Exception {
        RequestStateCall transfer = call("tools/call", "{\"name\":\"transfer\"}");
        String state = sessions.sealRequestState("tools", ACME, transfer, "x", null, Instant.now());
        String cursor = sessions.sealCursor("tools", ACME, "x", null, Instant.now());
        String session = sessions.seal("tools", ACME, "x", Instant.now());
        String event = sessions.sealEventId("tools", ACME, "x", null, Instant.now());

        for (String other : List.of(cursor, session, event)) {
            assertThat(sessions.openRequestState("tools", ACME, transfer, other, Instant.now()))
                    .isEqualTo(new SealedSessions.Unknown("not a requestState this gateway relayed"));
        }
        assertThat(sessions.openCursor("tools", ACME, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.open("tools", ACME, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openEventId("tools", ACME, state, Instant.now())).isInstanceOf(SealedSessions.Unknown.class);
    }

    @Test
    void aStateUpToTheLimitIsSealedAndOneLongerIsNot() throws Exception {
        RequestStateCall transfer = call("tools/call", "{\"name\":\"transfer\"}");
        String longest = "s".repeat(SealedSessions.MAX_REQUEST_STATE_BYTES);

        String sealed = sessions.sealRequestState("tools", ACME, transfer, longest, null, Instant.now());

        assertThat(sessions.openRequestState("tools", ACME, transfer, sealed, Instant.now())).isEqualTo(new SealedSessions.Valid(longest, null));
        assertThatThrownBy(() -> sessions.sealRequestState("tools", ACME, transfer, longest + "s", null, Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sessions.sealCursor("tools", ACME, "c".repeat(SealedSessions.MAX_UPSTREAM_ID_BYTES + 1), null, Instant.now()))
                .as("cursors keep their own limit").isInstanceOf(IllegalArgumentException.class);
    }
}
