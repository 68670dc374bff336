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
 * Review Y, finding (medium): on an A2A route, a send's price and the budget rules that cover it follow the skill the
 * caller declares ({@code metadata.skillId}), which A2A does not have and no agent is bound by (A2aCalls.skill: "a
 * convention, not a field of A2A"; README: "messages name no skill the agent must run"). A caller that declares no
 * skill (or a cheap one) is priced at the route default and escapes every {@code tool:}-scoped budget rule, while the
 * agent does the same work: an LLM agent picks its skill from the text. The pricing table's per-tool prices and the
 * README's budget example ({@code {tool: "synth*"}, {check: budget}}) are thus the caller's to opt out of on A2A routes.
 *
 * <p>Input: A2A route {@code agent}, pricing {@code agent: {default: 0.01, tools: {research: 0.30}}}, rule
 * {@code {all: [{tool: research}, {check: {name: budget, args: {limit_usd: 1.00}}}]}}; the agent answers every
 * SendMessage with its research report (no cost reported). Control: six sends declaring {@code skillId: research}: 3
 * run. Then six sends with the same text and no skillId.
 *
 * <p>Gateway accounted: 6 of 6 undeclared sends forwarded, charged $0.01 each ($0.06 in the ledger). What happened: six
 * research runs on a tree whose research budget allows three.
 *
 * <p>Suggested fix: on A2A routes, price a send that declares no skill (or one the card does not list) at the route's
 * most expensive priced skill, and have {@code tool:} conditions of budget/rate rules match an undeclared skill
 * (fail closed: as if it were any skill of the card); or make per-skill prices and tool-scoped budget rules on A2A routes
 * a load warning that says they are advisory.
 */
class A2aUndeclaredSkillBudgetReviewYTest {

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
                routes:
                  agent:
                    default: 0.01
                    tools:
                      research: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: research-budget
                    condition: {all: [{tool: research}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
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

    private int sends(String token, String metadata) throws Exception {
        int before = upstream.received().size();
        for (int i = 1; i <= 6; i++) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m" + i
                            + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"research the Q3 market for widgets\"}]" + metadata + "}}}"));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            Thread.sleep(50);
        }
        return upstream.received().size() - before;
    }

    @Test
    void controlDeclaredResearchRunsThreeTimes() throws Exception {
        assertThat(sends(world.token("acme", "tree-declared", "run-1"), ",\"metadata\":{\"skillId\":\"research\"}")).isEqualTo(3);
    }

    @Test
    void aSendDeclaringNoSkillIsNotOutsideTheResearchBudget() throws Exception {
        String token = world.token("acme", "tree-undeclared", "run-1");
        int forwarded = sends(token, "");
        Thread.sleep(300);

        assertThat(forwarded).as("research runs on a $1.00 research budget at $0.30 (ledger: %d micro-USD)",
                ReviewYBudgetWorld.spent(gateway, "acme", "tree-undeclared")).isLessThanOrEqualTo(3);
    }
}
