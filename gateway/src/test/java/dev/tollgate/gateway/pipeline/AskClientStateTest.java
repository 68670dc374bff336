package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the ask-client retry stage reads as its own: only a requestState written as the gateway's approval state. Any
 * other requestState (an upstream's, made up, a session id or cursor of the gateway's) is not its business and is left
 * to later stages; and a call is named by its method, tool and arguments whatever order the client writes them in.
 */
class AskClientStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRequestStateNotWrittenAsTheGatewaysApprovalStateIsNotOurs() throws Exception {
        String cursor = TestSessions.sealer().sealCursor("tools", Identity.ANONYMOUS, "c", null, Instant.now());
        for (String state : new String[] {"upstream-state-1", "eyJ0byI6Im1hbGxvcnkifQ", cursor, ""}) {
            JsonRpcRequest retry = call("{\"name\":\"echo\",\"arguments\":{},\"requestState\":" + JSON.writeValueAsString(state) + "}");
            assertThat(read(retry, Identity.ANONYMOUS)).as(state).isInstanceOf(AskClientState.NotOurs.class);
        }
        assertThat(read(call("{\"name\":\"echo\",\"requestState\":{\"a\":1}}"), Identity.ANONYMOUS)).isInstanceOf(AskClientState.NotOurs.class);
        assertThat(read(call("{\"name\":\"echo\"}"), Identity.ANONYMOUS)).isInstanceOf(AskClientState.NotOurs.class);
    }

    @Test
    void theGatewaysStateIsOursForItsCallerAndCallAndRefusedForAnyOther() throws Exception {
        Identity acme = new Identity("spiffe://prod/agent", "acme", "a", null, null, null, null, java.util.List.of(), java.util.Map.of());
        String digest = AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{\"m\":\"hi\"}}"));
        String state = TestSessions.sealer().sealApprovalState("tools", acme, "apr_1 1700000000000", digest, Instant.now());
        String retry = "{\"name\":\"echo\",\"arguments\":{\"m\":\"hi\"},\"inputResponses\":{},\"requestState\":\"" + state + "\"}";

        Instant askedAt = Instant.ofEpochMilli(1700000000000L);
        assertThat(read(call(retry), acme)).isEqualTo(new AskClientState.Ours(
                new AskClientState("apr_1", askedAt, askedAt.plus(TestSessions.sealer().maxAge()))));
        assertThat(read(call(retry), Identity.ANONYMOUS)).isInstanceOf(AskClientState.Refused.class);
        assertThat(read(call(retry.replace("\"hi\"", "\"ho\"")), acme)).isInstanceOf(AskClientState.Refused.class);
    }

    @Test
    void aStateIsRefusedPastTheExpiryItWasHandedOutWithWhateverTheServingMaxAge() throws Exception {
        String digest = AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{}}"));
        Instant asked = Instant.now().minusSeconds(10);
        String retry = "{\"name\":\"echo\",\"arguments\":{},\"inputResponses\":{},\"requestState\":\"%s\"}";
        String expired = TestSessions.sealer().sealApprovalState("tools", Identity.ANONYMOUS,
                "apr_2 " + asked.toEpochMilli() + " " + asked.plusSeconds(5).toEpochMilli(), digest, asked);
        assertThat(read(call(retry.formatted(expired)), Identity.ANONYMOUS)).isInstanceOf(AskClientState.Refused.class);

        String valid = TestSessions.sealer().sealApprovalState("tools", Identity.ANONYMOUS,
                "apr_3 " + asked.toEpochMilli() + " " + asked.plusSeconds(60).toEpochMilli(), digest, asked);
        assertThat(read(call(retry.formatted(valid)), Identity.ANONYMOUS))
                .isEqualTo(new AskClientState.Ours(new AskClientState("apr_3", Instant.ofEpochMilli(asked.toEpochMilli()),
                        Instant.ofEpochMilli(asked.plusSeconds(60).toEpochMilli()))));
    }

    private static AskClientState.Read read(JsonRpcRequest request, Identity caller) {
        return AskClientState.read(TestSessions.sealer(), "tools", caller, request);
    }

    @Test
    void theCallDigestIgnoresMemberOrderButNotValuesToolOrMethod() throws Exception {
        String digest = AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{\"a\":1,\"b\":{\"x\":[1,\"2\"],\"y\":null}}}"));
        assertThat(AskClientState.digest(call("{\"arguments\":{\"b\":{\"y\":null,\"x\":[1,\"2\"]},\"a\":1},\"name\":\"echo\",\"requestState\":\"s\"}")))
                .isEqualTo(digest);
        assertThat(AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{\"a\":2,\"b\":{\"x\":[1,\"2\"],\"y\":null}}}"))).isNotEqualTo(digest);
        assertThat(AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{\"a\":1,\"b\":{\"x\":[\"2\",1],\"y\":null}}}"))).isNotEqualTo(digest);
        assertThat(AskClientState.digest(call("{\"name\":\"shout\",\"arguments\":{\"a\":1,\"b\":{\"x\":[1,\"2\"],\"y\":null}}}"))).isNotEqualTo(digest);
        assertThat(AskClientState.digest(call("{\"name\":\"echo\",\"arguments\":{\"a\":\"1\",\"b\":{\"x\":[1,\"2\"],\"y\":null}}}"))).isNotEqualTo(digest);
    }

    private static JsonRpcRequest call(String params) throws Exception {
        JsonNode node = JSON.readTree(params);
        return new JsonRpcRequest(JsonRpcId.of(1), "tools/call", node);
    }
}
