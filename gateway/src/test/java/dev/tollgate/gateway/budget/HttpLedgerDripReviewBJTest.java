package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BJ, finding 3: {@code budgets.timeout} ("per ledger operation", README) is an idle timeout for the HTTP ledger.
 * HttpSpendLedger sets it with WebClient's {@code HttpRequest#timeout}, which Vert.x 5 applies as the connect timeout
 * and the idle timeout (HttpClientImpl: RequestOptions#getTimeout feeds both), not as a bound on the whole exchange. A
 * ledger (or a proxy in front of it) that answers slowly but steadily, a byte every 100 ms, is never timed out: the
 * tree's read stays in flight, and every budgeted call of the tree waits on it instead of being denied "spend ledger
 * (http) unavailable ... (fail closed)" after 250 ms. The same holds for writes: a dripping POST keeps the tree's one
 * write slot, so its charges stop reaching the ledger (and other replicas) with no retry and no failure counted.
 *
 * <p>A dripping ledger of the test's own; a budgeted call must be answered within a few ledger timeouts.
 */
class HttpLedgerDripReviewBJTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: budget
                condition: {all: [{tool: "search*"}, {check: {name: budget, args: {limit_usd: 100}}}]}
                action: deny
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private HttpServer ledger;
    private RunningGateway gateway;
    private TestHttp http;
    private BudgetFixture fixture;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        // Answers at once, then drips its body a space every 100 ms for 8 s: never idle for 250 ms, never done.
        ledger = vertx.createHttpServer().requestHandler(request -> {
            var response = request.response().setChunked(true).putHeader("content-type", "application/json");
            response.write("{\"spent_usd\": ");
            long[] sent = {0};
            vertx.setPeriodic(100, id -> {
                if (response.closed() || response.ended()) {
                    vertx.cancelTimer(id);
                } else if (++sent[0] >= 80) {
                    vertx.cancelTimer(id);
                    response.end("0}");
                } else {
                    response.write(" ");
                }
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + ledger.actualPort() + "/spend/{tenant}/{tree}";
        fixture = new BudgetFixture(dir);
        fixture.answerToolCalls(upstream);
        fixture.policy(POLICY);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), """
                budgets:
                  ledger: http
                  timeout: 250ms
                  pricing: PRICING
                  http: {spent-url: "%s", spent-pointer: /spent_usd, record-url: "%s", amount-field: amount_usd}
                """.formatted(url, url)));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        ledger.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aLedgerThatAnswersSlowlyButSteadilyTimesOutAndTheCallIsDeniedFailClosed() throws Exception {
        String token = fixture.token("acme", "drip-tree");
        CompletableFuture<TestHttp.Reply> call = CompletableFuture.supplyAsync(() -> {
            try {
                return BudgetFixture.call(http, gateway.port(), token, 1, "search");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        TestHttp.Reply reply;
        try {
            // budgets.timeout is 250 ms; 5 s is twenty of them.
            reply = call.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("a budgeted call still waited on a dripping ledger after 5 s (budgets.timeout: 250ms)");
        }
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.body().toString()).contains("spend ledger (http) unavailable").contains("fail closed");
        assertThat(upstream.received()).isEmpty();
    }
}
