package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.rules;
import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per operator and condition kind: a condition, a call, and whether the deny rule fires. */
class ConditionOperatorTest {

    private static final String ARGS = "{\"big\":9007199254740993,\"command\":\"rm -rf /tmp/x\",\"count\":5,\"ratio\":0.5,\"tags\":[\"a\",\"b\"],\"file\":\"//tmp/../etc/./passwd\",\"name\":\"\uff27\uff25\uff34-Env\",\"opts\":{\"force\":true},\"pair\":[1.0,2],\"range\":{\"to\":2e0,\"from\":1},\"empty\":null}";

    static Stream<Arguments> cases() {
        return Stream.of(
                row("eq string", "arg: {path: /command, eq: \"rm -rf /tmp/x\"}", true),
                row("eq number by value", "arg: {path: /count, eq: 5.0}", true),
                row("eq mismatch", "arg: {path: /count, eq: 6}", false),
                row("ne", "arg: {path: /count, ne: 6}", true),
                row("ne on absent value holds", "arg: {path: /nothing, ne: 1}", true),
                row("in", "arg: {path: /count, in: [1, 5, 9]}", true),
                row("in mismatch", "arg: {path: /count, in: [1, 9]}", false),
                row("not_in", "arg: {path: /count, not_in: [1, 9]}", true),
                row("matches finds anywhere", "arg: {path: /command, matches: \"rm\\\\s+-rf\"}", true),
                row("matches anchored", "arg: {path: /command, matches: \"^-rf\"}", false),
                row("contains substring", "arg: {path: /command, contains: \"/tmp\"}", true),
                row("contains array element", "arg: {path: /tags, contains: b}", true),
                row("contains array element mismatch", "arg: {path: /tags, contains: c}", false),
                row("path normalized: //tmp/../etc/./passwd is /etc/passwd", "arg: {path: /file, eq: /etc/passwd, normalize: path}", true),
                row("without normalize the literal misses the variant", "arg: {path: /file, eq: /etc/passwd}", false),
                row("path normalized before matches", "arg: {path: /file, matches: \"^/etc/\", normalize: path}", true),
                row("nfkc and case fold a full-width, mixed-case name", "arg: {path: /name, eq: get-env, normalize: [nfkc, case]}", true),
                row("the operands are folded too", "arg: {path: /name, in: [GET-ENV], normalize: [nfkc, case]}", true),
                row("case alone leaves full-width letters", "arg: {path: /name, eq: get-env, normalize: case}", false),
                row("gt", "arg: {path: /count, gt: 4}", true),
                row("gt equal is false", "arg: {path: /count, gt: 5}", false),
                row("gte", "arg: {path: /count, gte: 5}", true),
                row("lt decimal", "arg: {path: /ratio, lt: 0.75}", true),
                row("lte", "arg: {path: /ratio, lte: 0.5}", true),
                row("gt beyond 2^53 compares exactly", "arg: {path: /big, gt: 9007199254740991}", true),
                row("lt beyond 2^53 compares exactly", "arg: {path: /big, lt: 9007199254740995}", true),
                // 2^53 + 1 is 2^53 to a JavaScript upstream: the readings decide differently, the rule fires (fail closed).
                row("gt beyond 2^53 at the double boundary", "arg: {path: /big, gt: 9007199254740992}", true),
                row("eq beyond 2^53 against its double neighbour", "arg: {path: /big, eq: 9007199254740992.0}", true),
                row("ne beyond 2^53 against its double neighbour", "arg: {path: /big, ne: 9007199254740992}", true),
                row("eq beyond 2^53 against neither reading", "arg: {path: /big, eq: 9007199254740994}", false),
                row("lte integer against decimal", "arg: {path: /count, lte: 5.5}", true),
                row("in mixes numbers by value", "arg: {path: /ratio, in: [0.25, 0.50]}", true),
                row("eq on a list compares its numbers by value", "arg: {path: /pair, eq: [1, 2]}", true),
                row("in of a mapping compares its numbers by value", "arg: {path: /range, in: [{from: 1, to: 2}]}", true),
                row("eq on a list of another length", "arg: {path: /pair, eq: [1]}", false),
                row("gt on a string cannot be decided: the rule fires (fail closed)", "arg: {path: /command, gt: 1}", true),
                row("exists true", "arg: {path: /opts/force, exists: true}", true),
                row("exists false on absent", "arg: {path: /opts/missing, exists: false}", true),
                row("null counts as absent", "arg: {path: /empty, exists: false}", true),
                row("nested pointer into array", "arg: {path: /tags/1, eq: b}", true),
                row("tool exact", "tool: shell_exec", true),
                row("tool glob", "tool: \"shell_*\"", true),
                row("tool glob ?", "tool: \"shell_exe?\"", true),
                row("tool list", "tool: [a, shell_exec]", true),
                row("tool mismatch", "tool: other", false),
                row("method", "method: tools/call", true),
                row("method glob", "method: \"tools/*\"", true),
                row("protocol", "protocol: mcp", true),
                row("direction", "direction: client_to_server", true),
                row("resource on a tool call is false", "resource: \"file://*\"", false),
                row("spiffe single segment", "spiffe_id: \"spiffe://prod.example/agents/*\"", true),
                row("spiffe single segment does not cross /", "spiffe_id: \"spiffe://prod.example/*\"", false),
                row("spiffe double star crosses /", "spiffe_id: \"spiffe://prod.example/**\"", true),
                row("claim tenant eq", "claim: {name: tenant, eq: acme}", true),
                row("claim agent in", "claim: {name: agent, in: [planner, coder]}", true),
                row("claim custom", "claim: {name: region, eq: eu}", true),
                row("claim tree matches", "claim: {name: tree, matches: \"^tree-\"}", true),
                row("claim absent exists false", "claim: {name: nope, exists: false}", true),
                row("claim absent eq is false", "claim: {name: nope, eq: x}", false),
                row("claim ne", "claim: {name: tenant, ne: beta}", true),
                row("claim ne on absent holds", "claim: {name: nope, ne: beta}", true),
                row("claim not_in", "claim: {name: tenant, not_in: [beta, gamma]}", true),
                row("claim not_in mismatch", "claim: {name: tenant, not_in: [acme]}", false),
                row("claim contains substring", "claim: {name: spiffe_id, contains: /agents/}", true),
                row("claim string eq number is false", "claim: {name: tenant, eq: 1}", false),
                row("claim string gt cannot be decided: the rule fires (fail closed)", "claim: {name: tenant, gt: 1}", true),
                row("claim sub", "claim: {name: sub, eq: user-7}", true),
                row("claim parent", "claim: {name: parent, eq: run-0}", true),
                row("claim run", "claim: {name: run, matches: \"^run-\\\\d+$\"}", true),
                row("claim numeric gt", "claim: {name: level, gt: 2}", true),
                row("claim numeric eq by value", "claim: {name: level, eq: 3.0}", true),
                row("claim list contains", "claim: {name: groups, contains: ops}", true),
                row("claim list contains mismatch", "claim: {name: groups, contains: admin}", false),
                row("capabilities claim contains", "claim: {name: capabilities, contains: fs.read}", true),
                row("capability held", "capability: fs.read", true),
                row("capability missing", "capability: fs.write", false),
                row("time within window", "time: {after: \"09:00\", before: \"17:00\", zone: UTC}", true),
                row("time outside window", "time: {after: \"11:00\", before: \"17:00\", zone: UTC}", false),
                row("time wraps midnight", "time: {after: \"22:00\", before: \"11:00\", zone: UTC}", true),
                row("time in another zone", "time: {after: \"09:00\", before: \"10:30\", zone: Asia/Tokyo}", false),
                row("weekday listed", "time: {days: [mon, tue]}", true),
                row("weekday not listed", "time: {days: [sat, sun]}", false),
                row("all", "all: [{tool: shell_exec}, {arg: {path: /count, gt: 1}}]", true),
                row("all fails on one", "all: [{tool: shell_exec}, {arg: {path: /count, gt: 10}}]", false),
                row("any", "any: [{tool: nope}, {claim: {name: tenant, eq: acme}}]", true),
                row("any none", "any: [{tool: nope}, {capability: x}]", false),
                row("not", "not: {tool: other}", true),
                row("custom check argument_size over", "check: {name: argument_size, args: {max_bytes: 10}}", true),
                row("custom check argument_size under", "check: {name: argument_size, args: {max_bytes: 100000}}", false));
    }

    private static Arguments row(String name, String condition, boolean fires) {
        return Arguments.of(name, condition, fires);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conditionDecidesWhetherTheRuleFires(String name, String condition, boolean fires) {
        CompiledPolicy policy = rules("allow", "  - name: r\n    condition: {" + condition + "}\n    action: deny\n");

        Decision decision = policy.evaluate(toolCall("shell_exec", ARGS));

        assertThat(decision.isDenied()).as(name).isEqualTo(fires);
        assertThat(decision.ruleName()).isEqualTo(fires ? "r" : null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explainAgreesWithEvaluate(String name, String condition, boolean fires) {
        CompiledPolicy policy = rules("allow", "  - name: r\n    condition: {" + condition + "}\n    action: deny\n");
        PolicyRequest request = toolCall("shell_exec", ARGS);

        Explanation explanation = policy.explain(request);

        assertThat(explanation.decision()).isEqualTo(policy.evaluate(request));
        assertThat(explanation.trace()).singleElement().satisfies(t -> {
            assertThat(t.matched()).isEqualTo(fires);
            assertThat(t.reason()).isNotBlank();
        });
    }
}
