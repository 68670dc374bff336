package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (medium/high): a call whose client hangs up after it was forwarded pays its estimate, never the cost
 * its answer reports, although the gateway now reads that very answer to its end. Since 907d6e9 UpstreamCall.outliveTheClient
 * keeps the call's slot until the upstream's answer ends, and drains the answer with {@code answer.handler(dropped -> {})}:
 * the result and its {@code _meta.cost_usd} pass through the gateway and are thrown away. CompletionRecorder already
 * settled the call at client_aborted (leftAfterSending: paid at the estimate, filed as "stream left unanswered" for a
 * resumed GET that a JSON answer can never have). So the upstream runs the tool to completion and reports its cost, and
 * the caller's tree is charged the estimate: a caller that does not need the result in band (a tool with side effects:
 * send, write, crawl into a store it reads later) gets the work at the estimate and past its budget.
 *
 * <p>Input: budget rule on {@code synth*} $1.00 per tree, synthesize priced $0.30; the upstream answers after 300 ms with
 * a JSON result reporting {@code _meta.cost_usd: 0.75}. The caller sends {@code tools/call synthesize} on a raw
 * connection and closes it as soon as the call is forwarded; five times.
 *
 * <p>Gateway accounted: $0.30 per call, 3 calls forwarded on the $1.00 budget (ledger $0.90). What happened: 3 tools ran
 * to completion and reported $2.25; a caller that waits for its answers runs one (TaskResultCostReviewYTest's control).
 *
 * <p>Suggested fix: in outliveTheClient, feed the drained answer to the exchange's ResponseOutcome (the same SSE/JSON
 * reader as a relayed answer, bounded by the body limit) and settle the charge then, not at client_aborted; or settle at
 * client_aborted as now and charge {@code reported - estimate} through Budgets.settleDeferred when the dropped answer ends.
 */
class AbandonedCallCostReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private ReviewYBudgetWorld world;
    private final AtomicInteger completed = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        world = new ReviewYBudgetWorld(dir, """
                routes:
                  upstream:
                    default: 0.01
                    tools:
                      synthesize: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            String id;
            try {
                JsonNode body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
                id = body.path("id").toString();
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            // The tool runs 300 ms and reports what it cost, whether or not the gateway's client is still there.
            vertx.setTimer(300, t -> {
                completed.incrementAndGet();
                try {
                    request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                            + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}}");
                } catch (RuntimeException gone) {
                    // the gateway reset the request: the work was done anyway
                }
            });
        });
        gateway = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aCallAbandonedAfterForwardingPaysTheCostItsAnswerReports() throws Exception {
        String token = world.token("acme", "tree-abandoned", "run-1");
        int forwarded = 0;
        for (int i = 1; i <= 5; i++) {
            int before = upstream.received().size();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}";
            NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            AtomicBoolean answered = new AtomicBoolean();
            socket.handler(data -> answered.set(true));
            socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nX-Waxell-AXID: " + token
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (upstream.received().size() == before && !answered.get() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            if (upstream.received().size() > before) {
                forwarded++;
            }
            socket.close();
            Thread.sleep(600); // the tool finishes and the gateway has read (and dropped) its answer
            // ... and charged it, before the next call's budget check: waited for (bounded), since on a loaded machine the
            // 300 ms tool and the gateway's read of its answer can take longer than 600 ms.
            ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-abandoned", forwarded * 750_000L);
        }
        Thread.sleep(500);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-abandoned", forwarded * 750_000L);

        assertThat(completed.get()).as("control: tools run to completion upstream").isEqualTo(forwarded).isGreaterThan(0);
        assertThat(spent).as("%d tools ran to completion, each reported $0.75 in an answer the gateway read", forwarded)
                .isEqualTo(forwarded * 750_000L);
        assertThat(forwarded).as("calls run on a $1.00 budget at a reported $0.75 each").isLessThanOrEqualTo(1);
    }
}
