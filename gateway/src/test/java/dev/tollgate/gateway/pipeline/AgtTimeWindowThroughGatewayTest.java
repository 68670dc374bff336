package dev.tollgate.gateway.pipeline;

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
 * An AGT 5.0.0 document whose allow rules hold only in a {@code dynamic_condition} time window, end to end on the
 * gateway's clock: the rule whose window holds now lets its call through; the one whose window does not denies it
 * (by the document's deny default) and nothing reaches the upstream. Windows are an hour or more from now on each side,
 * so the test does not depend on when it runs.
 */
class AgtTimeWindowThroughGatewayTest {

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    private static String window(LocalTime now, int fromMinutes, int toMinutes) {
        return "{type: time_window, timezone: UTC, start_time: \"" + now.plusMinutes(fromMinutes).format(HH_MM)
                + "\", end_time: \"" + now.plusMinutes(toMinutes).format(HH_MM) + "\"}";
    }

    @BeforeAll
    static void start() throws Exception {
        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        String policy = "version: \"1.0\"\nname: agt-windows\ndefaults: {action: deny}\nrules:\n"
                + "  - name: open-now\n    condition: {field: tool_name, operator: eq, value: report}\n    action: allow\n"
                + "    dynamic_condition: " + window(now, -60, 60) + "\n"
                + "  - name: closed-now\n    condition: {field: tool_name, operator: eq, value: export}\n    action: allow\n"
                + "    dynamic_condition: " + window(now, 120, 180) + "\n";
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), policy, null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";
    }

    @Test
    void allowRuleOutsideItsWindowNoLongerAllowsAndInsideItDoes() throws Exception {
        upstream.received().clear();
        TestHttp.Reply denied = http.postMcp(gateway.port(), "/mcp", call(1, "export"));
        assertThat(denied.reason()).isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(upstream.received()).as("upstream saw nothing").isEmpty();

        TestHttp.Reply allowed = http.postMcp(gateway.port(), "/mcp", call(2, "report"));
        assertThat(allowed.json().has("error")).as(allowed.json().toString()).isFalse();
        assertThat(upstream.received()).hasSize(1);
    }
}
