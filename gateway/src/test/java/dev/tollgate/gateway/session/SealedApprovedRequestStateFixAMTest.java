package dev.tollgate.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.mcp.RequestStateCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fix of review BT's finding 3: the requestState relayed on an answer to a call an approval let through (version 18)
 * opens only for its caller, route and call, and never as (nor from) a state relayed for a call no approval let through.
 */
class SealedApprovedRequestStateFixAMTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Identity ACME = new Identity("spiffe://prod/agent", "acme", "a", null, null, null, null, List.of(), Map.of());
    private static final Identity GLOBEX = new Identity("spiffe://prod/agent", "globex", "a", null, null, null, null, List.of(), Map.of());
    private final SealedSessions sessions = TestSessions.sealer();

    private static RequestStateCall call(String params) throws Exception {
        return RequestStateCall.of("tools/call", JSON.readTree(params));
    }

    @Test
    void anApprovedCallsStateOpensForItsCallerRouteAndCallOnly() throws Exception {
        RequestStateCall deploy = call("{\"name\":\"deploy\",\"arguments\":{\"env\":\"staging\"}}");
        String sealed = sessions.sealApprovedRequestState("tools", ACME, deploy, "apr_1 1 2 r -", "http://10.0.0.7/mcp", Instant.now());

        assertThat(sessions.openApprovedRequestState("tools", ACME, deploy, sealed, Instant.now()))
                .isEqualTo(new SealedSessions.Valid("apr_1 1 2 r -", "http://10.0.0.7/mcp"));
        assertThat(sessions.openApprovedRequestState("tools", GLOBEX, deploy, sealed, Instant.now())).as("another caller")
                .isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openApprovedRequestState("other", ACME, deploy, sealed, Instant.now())).as("another route")
                .isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openApprovedRequestState("tools", ACME, call("{\"name\":\"deploy\",\"arguments\":{\"env\":\"prod\"}}"), sealed,
                Instant.now())).as("another argument").isInstanceOf(SealedSessions.Unknown.class);
        assertThat(sessions.openApprovedRequestState("tools", ACME, deploy, sealed,
                Instant.now().plus(dev.tollgate.gateway.config.SessionConfig.DEFAULT_MAX_AGE).plusSeconds(5))).as("expired")
                .isInstanceOf(SealedSessions.Unknown.class);
    }

    @Test
    void aStateForACallNoApprovalLetThroughDoesNotOpenAsOneThatDidNorTheOtherWay() throws Exception {
        RequestStateCall deploy = call("{\"name\":\"deploy\"}");
        String plain = sessions.sealRequestState("tools", ACME, deploy, "apr_1 1 2 r -", null, Instant.now());
        String approved = sessions.sealApprovedRequestState("tools", ACME, deploy, "apr_1 1 2 r -", null, Instant.now());
        String question = sessions.sealApprovalState("tools", ACME, "apr_1 1 2", "digest", Instant.now());

        assertThat(sessions.openApprovedRequestState("tools", ACME, deploy, plain, Instant.now()))
                .isEqualTo(new SealedSessions.Unknown("not a requestState this gateway relayed"));
        assertThat(sessions.openApprovedRequestState("tools", ACME, deploy, question, Instant.now()))
                .isEqualTo(new SealedSessions.Unknown("not a requestState this gateway relayed"));
        assertThat(sessions.openRequestState("tools", ACME, deploy, approved, Instant.now()))
                .isEqualTo(new SealedSessions.Unknown("not a requestState this gateway relayed"));
        assertThat(sessions.writtenAsApprovalState(approved)).isFalse();
    }
}
