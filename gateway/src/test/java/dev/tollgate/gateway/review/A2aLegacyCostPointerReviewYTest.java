package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Y, finding (medium): one {@code reported-cost} pointer is applied to two A2A generations whose answers have
 * different shapes, and the caller picks the generation. v1.0 {@code SendMessage} answers {@code {"message": {...}}}
 * (or {@code {"task": ...}}), so the README's own example pointer {@code /message/metadata/cost_usd} finds the cost;
 * a 0.3 {@code message/send} to the same route and agent is answered with the Message itself
 * ({@code {"kind": "message", "metadata": {...}}}), where that pointer finds nothing, and the call pays its estimate.
 * Agents built on SDKs serving both generations answer both; a caller that sends legacy method names pays the price
 * table, never the reported cost (on a route priced only by reports or usage, i.e. a $0 default: nothing at all).
 *
 * <p>Input: A2A route {@code agent}, pricing {@code reported-cost: /message/metadata/cost_usd}, route default $0.01,
 * rule {@code {check: {name: budget, args: {limit_usd: 1.00}}}}; the agent reports {@code cost_usd: 0.75} in its
 * answer's message metadata, in either generation's shape. Six sends each way.
 *
 * <p>Gateway accounted: v1.0 (control): 2 sends run (the second fits at its $0.01 estimate), $1.50 recorded, then
 * refused. 0.3: 6 of 6 run, $0.06 recorded, $4.50 reported.
 *
 * <p>Suggested fix: read the reported cost (and usage) at the configured pointer in the answer normalised to one shape
 * (wrap a legacy Message/Task result as {@code {"message": ...}} / {@code {"task": ...}} before reading, as the
 * gateway already reads both generations for policy), or let the pricing table name a pointer per generation and
 * refuse a config that only covers one on a route that accepts both.
 */
class A2aLegacyCostPointerReviewYTest {

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
        world = new ReviewYBudgetWorld(dir, """
                reported-cost: /message/metadata/cost_usd
                routes:
                  agent:
                    default: 0.01
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: tree-budget
                    condition: {check: {name: budget, args: {limit_usd: 1.00}}}
                    action: deny
                """);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*?\"id\":(\\d+).*", "$1");
            String result = body.contains("\"message/send\"")
                    ? "{\"kind\":\"message\",\"messageId\":\"r-" + id + "\",\"role\":\"agent\",\"parts\":[{\"kind\":\"text\",\"text\":\"report\"}],"
                            + "\"metadata\":{\"cost_usd\":0.75}}"
                    : "{\"message\":{\"messageId\":\"r-" + id + "\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"report\"}],"
                            + "\"metadata\":{\"cost_usd\":0.75}}}";
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                budgets: {pricing: %s, cache-ttl: 1s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ReviewYBudgetWorld.ISSUER, ReviewYBudgetWorld.AUDIENCE,
                dir.resolve("pricing.yaml"), upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private int sends(String token, boolean legacy) throws Exception {
        int before = upstream.received().size();
        for (int i = 1; i <= 6; i++) {
            String params = legacy
                    ? "{\"message\":{\"kind\":\"message\",\"messageId\":\"m" + i + "\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"research\"}]}}"
                    : "{\"message\":{\"messageId\":\"m" + i + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"research\"}]}}";
            var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token);
            if (!legacy) {
                options.putHeader("A2A-Version", "1.0");
            }
            TestHttp.Reply reply = http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\""
                    + (legacy ? "message/send" : "SendMessage") + "\",\"params\":" + params + "}"));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            Thread.sleep(100);
        }
        return upstream.received().size() - before;
    }

    @Test
    void controlV1AnswersPayTheirReportedCost() throws Exception {
        int ran = sends(world.token("acme", "tree-v1", "run-1"), false);
        Thread.sleep(300);
        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-v1", ran * 750_000L)).isEqualTo(ran * 750_000L);
        assertThat(ran).isLessThanOrEqualTo(2);
    }

    @Test
    void legacyAnswersPayTheirReportedCostToo() throws Exception {
        int ran = sends(world.token("acme", "tree-legacy", "run-1"), true);
        Thread.sleep(300);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-legacy", ran * 750_000L);

        assertThat(spent).as("%d legacy sends ran, each reported $0.75", ran).isEqualTo(ran * 750_000L);
    }
}
