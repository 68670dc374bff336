package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Y, finding (medium): calls the README calls free ("reads, lists and protocol chatter are free", PricedCalls) are
 * charged the route's default price whenever a budget rule's condition covers them. PolicyStage holds their estimate,
 * 0, but the budget check left an obligation, so Budgets.secure returns a charge; CompletionRecorder then settles it at
 * PricingTable.actualMicros(route, tool, result), whose fallback for a result reporting no cost is the estimate of the
 * route (or the tool), not the 0 that was held. A tree-wide budget rule ({@code {check: {name: budget, ...}}} with no
 * tool condition, the natural way to write "this tree may spend $1") thus bills every tools/list, resources/read and
 * ping at the route default: the budget is spent by calls the upstream never charged.
 *
 * <p>Input: pricing route default $0.01 (synthesize $0.30); rule {@code {check: {name: budget, args: {limit_usd: 1.00}}}};
 * the caller sends tools/list and resources/read five times each; the upstream reports no cost.
 *
 * <p>Gateway accounted: $0.10 (10 x the $0.01 default). What happened: 10 free calls. Read with the task finding
 * (TaskResultCostReviewYTest): each tasks/get poll is charged its tool's full price the same way.
 *
 * <p>Suggested fix: settle a charge whose call is not priced (PricedCalls false; the charge could carry the flag, or
 * estimateMicros 0 with an explicit "unpriced") at 0 unless its result reports a cost; only priced calls fall back to
 * the estimate.
 */
class FreeCallsChargedReviewYTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, ReviewYBudgetWorld.SYNTH_PRICING, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: tree-budget
                    condition: {check: {name: budget, args: {limit_usd: 1.00}}}
                    action: deny
                """);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            String result = body.contains("tools/list") ? "{\"tools\":[]}"
                    : "{\"contents\":[{\"uri\":\"file:///readme\",\"mimeType\":\"text/plain\",\"text\":\"hi\"}]}";
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        gateway = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void listsAndReadsUnderATreeBudgetAreNotCharged() throws Exception {
        String token = world.token("acme", "tree-lists", "run-1");
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply list = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-06-18",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + (2 * i) + ",\"method\":\"tools/list\",\"params\":{}}");
            assertThat(list.json().has("result")).as(list.body().toString()).isTrue();
            TestHttp.Reply read = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-06-18",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + (2 * i + 1) + ",\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///readme\"}}");
            assertThat(read.json().has("result")).as(read.body().toString()).isTrue();
        }
        Thread.sleep(400);

        assertThat(ReviewYBudgetWorld.spent(gateway, "acme", "tree-lists")).as("10 free calls (lists and reads)").isZero();
    }
}
