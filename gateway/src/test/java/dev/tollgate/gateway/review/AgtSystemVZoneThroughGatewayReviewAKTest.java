package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review AK, end to end: an AGT 5.0.0 allow rule whose {@code dynamic_condition} names {@code timezone: SystemV/EST5}
 * (in the JDK's tzdb, not in IANA tzdata nor Python's zoneinfo), with its window open now (an hour either side of the
 * current time in UTC-5, so the test does not depend on when it runs).
 *
 * <p>Ground truth, AGT 5.0.0 itself (PolicyEvaluator on the same rule shape, see AgtSystemVZoneReviewAKTest in policy):
 * {@code ZoneInfo("SystemV/EST5")} raises ZoneInfoNotFoundError, {@code DynamicConditionEvaluator.evaluate} returns
 * False, the rule never matches and the deny default denies:
 * {@code 2026-07-27T15:00:00Z {'tool_name': 'export_report'} -> allowed=False action=deny rule=None}
 * (09:00-17:00 window, 10:00 in UTC-5). Through the gateway the call reaches the upstream. The control (the same window
 * in {@code Etc/GMT+5}, the IANA id of UTC-5, which AGT finds) is allowed as AGT allows it.
 */
class AgtSystemVZoneThroughGatewayReviewAKTest {

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    private static String window(String zone) {
        LocalTime now = LocalTime.now(ZoneOffset.ofHours(-5));
        return "{type: time_window, timezone: " + zone + ", start_time: \"" + now.minusMinutes(60).format(HH_MM)
                + "\", end_time: \"" + now.plusMinutes(60).format(HH_MM) + "\"}";
    }

    @BeforeAll
    static void start() throws Exception {
        String policy = "version: \"1.0\"\nname: agt-zones\ndefaults: {action: deny}\nrules:\n"
                + "  - name: systemv-window\n    condition: {field: tool_name, operator: eq, value: export_report}\n    action: allow\n"
                + "    dynamic_condition: " + window("SystemV/EST5") + "\n"
                + "  - name: iana-window\n    condition: {field: tool_name, operator: eq, value: report}\n    action: allow\n"
                + "    dynamic_condition: " + window("Etc/GMT+5") + "\n";
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        try {
            gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), policy, null, null);
        } catch (Exception e) {
            gateway = null; // refused at load: what AGT's never-matching rule would call for (fail closed)
        }
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }

    @Test
    void anAllowRuleInASystemVZoneAgtNeverMatchesLetsTheCallThroughTheGateway() throws Exception {
        if (gateway == null) {
            return; // the document was refused: nothing is allowed
        }
        upstream.received().clear();
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(1, "export_report"));
        assertThat(reply.reason()).as("AGT 5.0.0 denies (SystemV/EST5 is unknown to zoneinfo, the rule never matches);"
                + " the gateway answered %s", reply.json()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(upstream.received()).as("upstream saw nothing").isEmpty();
    }

    @Test
    void control_theSameWindowInTheIanaIdOfUtcMinus5IsAllowedAsAgtAllowsIt() throws Exception {
        if (gateway == null) {
            return;
        }
        upstream.received().clear();
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(2, "report"));
        assertThat(reply.json().has("error")).as(reply.json().toString()).isFalse();
        assertThat(upstream.received()).hasSize(1);
    }
}
