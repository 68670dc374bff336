package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class A2aPathsTest {

    static Stream<Arguments> restOperations() {
        return Stream.of(
                Arguments.of("POST", "/message:send", A2aMethod.SEND_MESSAGE, null, null, false),
                Arguments.of("POST", "/a2a/rest/message:stream", A2aMethod.SEND_STREAMING_MESSAGE, null, null, false),
                Arguments.of("GET", "/tasks/t1", A2aMethod.GET_TASK, "t1", null, false),
                Arguments.of("GET", "/tenant-a/tasks", A2aMethod.LIST_TASKS, null, null, false),
                Arguments.of("POST", "/tasks/t1:cancel", A2aMethod.CANCEL_TASK, "t1", null, false),
                Arguments.of("GET", "/tasks/t1:subscribe", A2aMethod.SUBSCRIBE_TO_TASK, "t1", null, false),
                Arguments.of("POST", "/tasks/t1:subscribe", A2aMethod.SUBSCRIBE_TO_TASK, "t1", null, false),
                Arguments.of("POST", "/tasks/t1/pushNotificationConfigs", A2aMethod.CREATE_PUSH_CONFIG, "t1", null, false),
                Arguments.of("GET", "/tasks/t1/pushNotificationConfigs", A2aMethod.LIST_PUSH_CONFIGS, "t1", null, false),
                Arguments.of("GET", "/tasks/t1/pushNotificationConfigs/c9", A2aMethod.GET_PUSH_CONFIG, "t1", "c9", false),
                Arguments.of("DELETE", "/tasks/t1/pushNotificationConfigs/c9", A2aMethod.DELETE_PUSH_CONFIG, "t1", "c9", false),
                Arguments.of("GET", "/extendedAgentCard", A2aMethod.GET_EXTENDED_CARD, null, null, false),
                Arguments.of("GET", "/v1/card", A2aMethod.GET_EXTENDED_CARD, null, null, true),
                Arguments.of("POST", "/v1/message:send", A2aMethod.SEND_MESSAGE, null, null, true),
                Arguments.of("POST", "/acme/v1/tasks/t2:cancel", A2aMethod.CANCEL_TASK, "t2", null, true),
                // Attacker's catalog: as Express routes them (fixed words in any case, ids percent-decoded), so the task
                // ownership and policy look up the task the agent will act on.
                Arguments.of("POST", "/a2a/rest/Tasks/t1/PushNotificationConfigs", A2aMethod.CREATE_PUSH_CONFIG, "t1", null, false),
                Arguments.of("GET", "/TASKS", A2aMethod.LIST_TASKS, null, null, false),
                Arguments.of("POST", "/Message:Send", A2aMethod.SEND_MESSAGE, null, null, false),
                Arguments.of("POST", "/tasks/t1:CANCEL", A2aMethod.CANCEL_TASK, "t1", null, false),
                Arguments.of("GET", "/V1/Card", A2aMethod.GET_EXTENDED_CARD, null, null, true),
                Arguments.of("GET", "/tasks/%74%31", A2aMethod.GET_TASK, "t1", null, false),
                Arguments.of("POST", "/tasks/%74%31:cancel", A2aMethod.CANCEL_TASK, "t1", null, false),
                Arguments.of("POST", "/tasks/a%3Ab:cancel", A2aMethod.CANCEL_TASK, "a:b", null, false),
                Arguments.of("GET", "/tasks/%C3%A9t%C3%A9", A2aMethod.GET_TASK, "\u00e9t\u00e9", null, false),
                Arguments.of("DELETE", "/tasks/%74%31/pushNotificationConfigs/%63%39", A2aMethod.DELETE_PUSH_CONFIG, "t1", "c9", false));
    }

    @Test
    void aMalformedEscapeInAnIdIsInvalid() {
        assertThat(A2aPaths.classify("GET", "/tasks/t%4")).isInstanceOf(A2aTarget.Invalid.class);
        assertThat(A2aPaths.classify("GET", "/tasks/t%zz1")).isInstanceOf(A2aTarget.Invalid.class);
        assertThat(A2aPaths.classify("POST", "/tasks/%ff:cancel")).as("not UTF-8").isInstanceOf(A2aTarget.Invalid.class);
        assertThat(A2aPaths.classify("GET", "/tasks/t1/pushNotificationConfigs/%c3")).isInstanceOf(A2aTarget.Invalid.class);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("restOperations")
    void restPathsMapToTheirOperation(String verb, String path, A2aMethod method, String taskId, String configId, boolean legacy) {
        assertThat(A2aPaths.classify(verb, path)).isEqualTo(new A2aTarget.Rest(method, taskId, configId, legacy));
    }

    /**
     * The tenant a 1.0 path names: without the agent's REST base, the segment before the operation is only a candidate
     * (the tenant, or part of where the agent serves its API); below a known base it is exact, or there is none.
     */
    @ParameterizedTest(name = "{0} {1} under {2}")
    @CsvSource(nullValues = "-", delimiter = '|', textBlock = """
            POST | /a2a/rest/prod/message:send                  | -         | prod   | false
            POST | /a2a/rest/message:send                       | -         | rest   | false
            POST | /message:send                                | -         | -      | -
            GET  | /acme/tasks/t1                               | -         | acme   | false
            POST | /a%2Fb/tasks/t1:cancel                       | -         | a/b    | false
            GET  | /x/acme/tasks/t1/pushNotificationConfigs/c1  | -         | acme   | false
            POST | /x/acme/tasks/t1/pushNotificationConfigs     | -         | acme   | false
            POST | /v1/message:send                             | -         | -      | -
            POST | /a2a/rest/prod/message:send                  | /a2a/rest | prod   | true
            POST | /A2A/Rest/prod/message:send                  | /a2a/rest | prod   | true
            POST | /a2a/rest/message:send                       | /a2a/rest | -      | true
            GET  | /a2a/rest/%70rod/tasks/t1                    | /a2a/rest | prod   | true
            POST | /a2a/rest/x/prod/message:send                | /a2a/rest | prod   | false
            POST | /other/prod/message:send                     | /a2a/rest | prod   | false
            """)
    void theTenantAPathNames(String verb, String path, String restBase, String segment, Boolean exact) {
        A2aPaths.PathTenant tenant = A2aPaths.tenantCandidate(path, (A2aTarget.Rest) A2aPaths.classify(verb, path), restBase);

        assertThat(tenant).isEqualTo(exact == null ? null : new A2aPaths.PathTenant(segment, exact));
    }

    /** 0.3 is the operation right below /v1 (where the SDK mounts its 0.3 router), not any v1 on the way (review L). */
    @Test
    void aV1SegmentMakesA03CallOnlyRightBeforeTheOperation() {
        assertThat(((A2aTarget.Rest) A2aPaths.classify("POST", "/api/v1/a2a/rest/message:send")).legacy()).isFalse();
        assertThat(((A2aTarget.Rest) A2aPaths.classify("GET", "/api/v1/a2a/rest/prod/tasks/t1")).legacy()).isFalse();
        assertThat(((A2aTarget.Rest) A2aPaths.classify("POST", "/api/v1/a2a/rest/v1/message:send")).legacy()).isTrue();
        assertThat(((A2aTarget.Rest) A2aPaths.classify("GET", "/a2a/rest/V1/tasks/t1/pushNotificationConfigs/c")).legacy()).isTrue();
        assertThat(A2aPaths.classify("GET", "/x/v1/card")).isEqualTo(new A2aTarget.Rest(A2aMethod.GET_EXTENDED_CARD, null, null, true));
    }

    @Test
    void cardJsonRpcAndInvalid() {
        assertThat(A2aPaths.classify("GET", "/.well-known/agent-card.json")).isInstanceOf(A2aTarget.AgentCard.class);
        assertThat(A2aPaths.classify("GET", "/.well-known/agent.json")).isInstanceOf(A2aTarget.AgentCard.class);
        assertThat(A2aPaths.classify("POST", "")).isInstanceOf(A2aTarget.JsonRpc.class);
        assertThat(A2aPaths.classify("POST", "/a2a/jsonrpc")).isInstanceOf(A2aTarget.JsonRpc.class);
        assertThat(A2aPaths.classify("POST", "/message:explode")).isEqualTo(new A2aTarget.Invalid("no A2A operation 'message:explode'", null));
        assertThat(A2aPaths.classify("GET", "/message:send")).isEqualTo(new A2aTarget.Invalid("/message:send takes POST", "POST"));
        assertThat(A2aPaths.classify("GET", "/a2a/jsonrpc")).isInstanceOf(A2aTarget.Invalid.class);
        assertThat(A2aPaths.classify("PUT", "/tasks/t1")).isInstanceOf(A2aTarget.Invalid.class);
        assertThat(A2aPaths.classify("PUT", "/a2a/jsonrpc")).isEqualTo(new A2aTarget.Invalid("/a2a/jsonrpc takes POST", "POST"));
        assertThat(A2aPaths.classify("PATCH", "")).isEqualTo(new A2aTarget.Invalid("/ takes POST", "POST"));
    }

    @Test
    void methodNamesOfBothGenerationsMapToTheOneOperation() {
        assertThat(A2aMethod.fromJsonRpc("message/send")).isSameAs(A2aMethod.fromJsonRpc("SendMessage")).isSameAs(A2aMethod.SEND_MESSAGE);
        assertThat(A2aMethod.fromJsonRpc("agent/getAuthenticatedExtendedCard")).isSameAs(A2aMethod.GET_EXTENDED_CARD);
        assertThat(A2aMethod.fromJsonRpc("ListTaskPushNotificationConfig")).isSameAs(A2aMethod.LIST_PUSH_CONFIGS);
        assertThat(A2aMethod.fromJsonRpc("tasks/resubscribe")).isSameAs(A2aMethod.SUBSCRIBE_TO_TASK);
        assertThat(A2aMethod.fromJsonRpc("tools/call")).isNull();
        for (A2aMethod method : A2aMethod.values()) {
            assertThat(A2aMethod.fromJsonRpc(method.canonicalName())).isSameAs(method);
            assertThat(A2aMethod.fromJsonRpc(method.legacyName())).isSameAs(method);
        }
    }
}
