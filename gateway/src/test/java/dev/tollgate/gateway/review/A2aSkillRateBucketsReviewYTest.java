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
 * Review Y, finding (medium): a {@code rate_limit} keyed {@code per: [tenant, tool]} on an A2A route keys by the skill
 * the caller declares ({@code metadata.skillId}), a label A2A agents are not bound by. On MCP a new tool name buys a
 * fresh bucket only for a tool the upstream has (anything else fails there); on A2A any label works, the agent answers
 * the text whatever the label says. So a caller labels each message with a new skill ("research-1", "research-2", ...)
 * and gets a fresh bucket, burst included, per label, up to {@code max-buckets-per-owner} (1,000) buckets: 1,000 times
 * the configured rate.
 *
 * <p>Input: A2A route, rule {@code {all: [{protocol: a2a}, {check: {name: rate_limit, args: {rate: 2, period: 1m,
 * burst: 2, per: [tenant, tool]}}}]}}; six SendMessage with the same text, skillId {@code research-1} .. {@code research-6}.
 * Control: six with skillId {@code research}: 2 run.
 *
 * <p>Gateway accounted: 6 buckets, one token each: 6 of 6 forwarded. Should be: 2 in the minute.
 *
 * <p>Suggested fix: on A2A routes key {@code per: tool} by a declared skill only when the agent card lists it (else
 * as "-", one bucket for every undeclared or unknown skill), or refuse {@code per: tool} in rate limits on A2A routes.
 */
class A2aSkillRateBucketsReviewYTest {

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
        world = new ReviewYBudgetWorld(dir, "routes: {}\n", """
                name: p
                defaults: {action: allow}
                rules:
                  - name: agent-rate
                    condition: {all: [{protocol: a2a}, {check: {name: rate_limit, args: {rate: 2, period: 1m, burst: 2, per: [tenant, tool]}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*?\"id\":(\\d+).*", "$1");
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"message\":{\"messageId\":\"r-" + id + "\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"research report\"}]}}}");
        });
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ReviewYBudgetWorld.ISSUER, ReviewYBudgetWorld.AUDIENCE,
                upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private int sends(String token, boolean newLabelEachTime) throws Exception {
        int before = upstream.received().size();
        for (int i = 1; i <= 6; i++) {
            String skill = newLabelEachTime ? "research-" + i : "research";
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m" + i
                            + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"research the Q3 market\"}],\"metadata\":{\"skillId\":\"" + skill + "\"}}}}"));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        }
        return upstream.received().size() - before;
    }

    @Test
    void controlOneLabelRunsTheBurst() throws Exception {
        assertThat(sends(world.token("acme", "t1", "run-1"), false)).isEqualTo(2);
    }

    @Test
    void aNewSkillLabelEachTimeDoesNotBuyANewBucket() throws Exception {
        assertThat(sends(world.token("globex", "t2", "run-1"), true)).as("messages forwarded under 2 a minute").isLessThanOrEqualTo(2);
    }
}
