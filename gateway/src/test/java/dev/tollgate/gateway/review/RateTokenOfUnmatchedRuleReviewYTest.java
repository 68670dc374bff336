package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (medium): a rate_limit check takes its token from every call that evaluates it, including calls
 * whose rule does not match. {@code all:} is evaluated in order, and BudgetFacts.rateLimited notes the token obligation
 * as soon as the check runs; if a later member fails (another tool), the rule does not apply, but the call is allowed
 * with the obligation still on it and PolicyStage secures it: the token is taken from the bucket of a rule that does not
 * govern the call. {@code all} reads as a conjunction, so {@code [{check: rate_limit}, {tool: "export*"}]} and
 * {@code [{tool: export}, {check: rate_limit}]} look the same to an author; the first makes every call of every caller
 * drain the export limit. With a bucket not keyed by caller (no {@code per}, or {@code per: [route]}) one caller's
 * unrelated calls get every other caller's exports denied. (A budget check in the same position holds budget for calls
 * the rule does not cover, likewise.)
 *
 * <p>Input (a glob, so the rule index does not skip the rule): rule {@code {all: [{check: {name: rate_limit, args: {rate: 2, period: 1m, burst: 2}}}, {tool: "export*"}]}},
 * deny. Caller (any) calls {@code search} three times, then {@code export} once.
 *
 * <p>Gateway accounted: the first two searches took the export bucket's 2 tokens, and the third search is DENIED by
 * rule export-rate (Budgets.secure turns a refused token into a deny "by the rule that asked for it"), as is the
 * export after it. Should be: searches take nothing and are never refused by an export rule; the export is allowed.
 * (A literal {@code tool: export} is not affected: the rule index skips the rule for other tools; a glob, an
 * {@code arg:}, {@code claim:} or any non-literal member after the check is.)
 *
 * <p>Suggested fix: keep each rule's obligations apart during evaluation and secure only those of rules that matched
 * (for a deny rule with a rate_limit member: the rule's other members held), i.e. evaluate checks with side effects
 * after the rule's other members, or roll back obligations noted inside a rule that did not match.
 */
class RateTokenOfUnmatchedRuleReviewYTest {

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[]}}");
        });
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: export-rate
                    condition: {all: [{check: {name: rate_limit, args: {rate: 2, period: 1m, burst: 2}}}, {tool: "export*"}]}
                    action: deny
                    message: two exports a minute
                """, null, null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private TestHttp.Reply call(int id, String tool) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-06-18"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}"));
    }

    @Test
    void callsTheRuleDoesNotCoverTakeNoTokenFromItsBucket() throws Exception {
        for (int i = 1; i <= 3; i++) {
            TestHttp.Reply search = call(i, "search");
            assertThat(search.json().has("result")).as("search #%d, which no rule limits: %s", i, search.body()).isTrue();
        }

        TestHttp.Reply export = call(4, "export");

        assertThat(export.json().has("result")).as("the minute's first export: " + export.body()).isTrue();
    }
}
