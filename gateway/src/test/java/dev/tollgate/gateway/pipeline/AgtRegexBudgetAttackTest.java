package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An AGT document whose pattern only a backtracking engine can run (a lookahead), attacked end to end with input
 * that makes it backtrack (digits, then an x the lookahead refuses): the search runs out of its step budget and the call is denied with reason
 * {@code regex_step_budget} and its own counter; nothing reaches the upstream.
 */
class AgtRegexBudgetAttackTest {

    private static final String POLICY = """
            version: "1.0"
            name: agt-regex-attack
            defaults: {action: allow}
            rules:
              - name: no-x-numbers
                condition: {field: x, operator: matches, value: "^(\\\\d+)*\\\\.?(\\\\d+)*x(?=y)"}
                action: deny
                message: numbers ending in xy are refused
            """;

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clearUpstream() {
        upstream.received().clear();
    }

    private static String call(int id, String x) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"calc\",\"arguments\":{\"x\":\"" + x + "\"}}}";
    }

    @Test
    void backtrackingInputIsDeniedWithItsOwnReasonAndCounter() throws Exception {
        double before = gateway.gateway().metrics().rejectCount(RejectReason.REGEX_STEP_BUDGET);
        double deniedBefore = gateway.gateway().metrics().rejectCount(RejectReason.POLICY_DENIED);

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(9, "1".repeat(3_000) + "x"));

        assertThat(reply.status()).isEqualTo(RejectReason.REGEX_STEP_BUDGET.httpStatus());
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.reason()).isEqualTo("regex_step_budget");
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("no-x-numbers");
        assertThat(reply.json().path("error").path("data").path("message").asText()).contains("more steps");
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.REGEX_STEP_BUDGET)).as("counter").isEqualTo(before + 1);
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.POLICY_DENIED)).isEqualTo(deniedBefore);
        assertThat(upstream.received()).as("upstream saw nothing").isEmpty();
    }

    @Test
    void ordinaryInputIsDecidedByTheRule() throws Exception {
        TestHttp.Reply denied = http.postMcp(gateway.port(), "/mcp", call(10, "12.5xy"));
        TestHttp.Reply allowed = http.postMcp(gateway.port(), "/mcp", call(11, "12.5"));

        assertThat(denied.reason()).isEqualTo("policy_denied");
        assertThat(allowed.json().has("result")).isTrue();
        assertThat(upstream.received()).hasSize(1);
    }
}
