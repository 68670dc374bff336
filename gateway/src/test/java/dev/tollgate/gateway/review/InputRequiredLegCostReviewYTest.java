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
 * Review Y, finding (medium): an MCP 2026-07-28 answer asking for input ({@code resultType: input_required}) releases the
 * call's hold and records nothing, even when the upstream reports what the leg cost (CompletionRecorder.awaitsInput:
 * "the retry carrying the input is the call that pays"). The first leg ran upstream work (a tool that plans, drafts or
 * searches before asking for confirmation), and nothing obliges the caller to send the retry: call, read what the
 * input request shows, never answer, repeat. Each round is free however much the upstream says it spent.
 *
 * <p>Input: synthesize priced $0.30, budget $1.00; the upstream answers each tools/call {@code input_required} with
 * {@code _meta.cost_usd: 0.75} (the leg's cost); the caller never retries. Five calls.
 *
 * <p>Gateway accounted: $0, 5 of 5 forwarded. What happened: $3.75 reported by the upstream. (Answered with a
 * result, one call would have run.)
 *
 * <p>Suggested fix: settle an input_required leg at the cost it reports (reported cost or usage, never the estimate,
 * so the two-legs-one-call rule holds when no cost is reported); and/or keep the hold across the legs (keyed by
 * requestState) so an abandoned leg pays its estimate when the state expires.
 */
class InputRequiredLegCostReviewYTest {

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
        world = ReviewYBudgetWorld.synthesis(dir);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"resultType\":\"input_required\",\"requestState\":\"s" + id + "\",\"inputRequests\":{\"confirm\":"
                    + "{\"method\":\"elicitation/create\",\"params\":{\"mode\":\"form\",\"message\":\"Here is the draft. Publish it?\","
                    + "\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}},\"_meta\":{\"cost_usd\":0.75}}}");
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
    void aLegAskingForInputPaysTheCostItReports() throws Exception {
        String token = world.token("acme", "tree-legs", "run-1");
        int legs = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply leg = ReviewYBudgetWorld.post(http, gateway.port(), token, null,
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}");
            if ("input_required".equals(leg.json().at("/result/resultType").asText())) {
                legs++;
            }
            Thread.sleep(100);
        }
        Thread.sleep(300);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-legs", legs * 750_000L);

        assertThat(legs).as("control: legs answered input_required").isGreaterThan(0);
        assertThat(spent).as("%d legs ran, each reported $0.75", legs).isEqualTo(legs * 750_000L);
    }
}
