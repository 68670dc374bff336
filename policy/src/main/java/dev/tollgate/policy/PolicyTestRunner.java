package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.Problems;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs the policy test cases kept beside the policies ({@code *.tests.yaml}): each names a policy, a call
 * and an identity, and the expected action and rule ({@code rule: default} for the document's default). A case whose
 * call has {@code direction: result} is decided as the gateway decides a result: result rules only, a deny anywhere
 * wins, and a result no result rule matches passes ({@code action: allow, rule: default}).
 * <pre>
 * tests:
 *   - name: shell commands are blocked
 *     policy: default
 *     call: {method: tools/call, tool: shell_exec, arguments: {command: "rm -rf /"}}
 *     identity: {tenant: acme, agent: planner, capabilities: [fs.read]}
 *     time: "2026-01-05T10:00:00Z"      # optional, default now
 *     facts: {spend_usd: 9.8, cost_usd: 0.3, rate_limited: false, tool_call_count: 6}   # optional: what budget and rate rules, and AGT tool_call_count, see
 *     expect: {action: deny, rule: block-destructive-shell}
 * </pre>
 */
public final class PolicyTestRunner {

    private PolicyTestRunner() {
    }

    public static List<PolicyTestResult> run(PolicyBundle bundle, Path dir) throws PolicyException {
        List<PolicyProblem> problems = new ArrayList<>();
        List<PolicyTestResult> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(PolicyLoader.TESTS_SUFFIX) && !PolicyLoader.isHidden(f.getFileName().toString())).sorted().toList()) {
                runFile(bundle, file, results, problems);
            }
        } catch (IOException e) {
            problems.add(new PolicyProblem(dir.toString(), 0, "", "cannot list: " + e.getMessage()));
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return results;
    }

    private static void runFile(PolicyBundle bundle, Path file, List<PolicyTestResult> results, List<PolicyProblem> problemsOut) throws IOException {
        LocatedYaml yaml;
        try {
            yaml = LocatedYaml.parse(Files.readString(file, StandardCharsets.UTF_8), true);
        } catch (YamlSyntaxException e) {
            problemsOut.add(new PolicyProblem(file.toString(), e.line(), "", e.getMessage()));
            return;
        }
        Problems problems = new Problems(file.toString(), yaml);
        JsonNode tests = yaml.root() == null ? null : yaml.root().get("tests");
        if (tests == null || !tests.isArray()) {
            problems.add("", "a test file has a list named tests");
        } else {
            for (int i = 0; i < tests.size(); i++) {
                PolicyTestResult result = runCase(bundle, tests.get(i), "/tests/" + i, problems);
                if (result != null) {
                    results.add(result);
                }
            }
        }
        problemsOut.addAll(problems.list());
    }

    private static final Set<String> TEST_FIELDS = Set.of("name", "policy", "call", "identity", "time", "facts", "expect");
    private static final Set<String> FACTS_FIELDS = Set.of("spend_usd", "cost_usd", "rate_limited", "tool_call_count");
    private static final Set<String> CALL_FIELDS = Set.of("protocol", "route", "method", "tool", "resource", "prompt", "arguments", "direction");
    private static final Set<String> IDENTITY_FIELDS = Set.of("spiffe_id", "tenant", "agent", "run", "sub", "parent", "tree", "capabilities", "claims");
    private static final Set<String> EXPECT_FIELDS = Set.of("action", "rule");

    private static PolicyTestResult runCase(PolicyBundle bundle, JsonNode test, String at, Problems problems) {
        if (!test.isObject()) {
            problems.add(at, "a test case is a mapping with name, policy, call, identity, time and expect");
            return null;
        }
        // A misspelt field would silently test something else (an anonymous caller, the default method).
        int before = problems.list().size();
        PolicyLoader.rejectUnknown(test, at, TEST_FIELDS, problems);
        for (var part : List.of(Map.entry("call", CALL_FIELDS), Map.entry("identity", IDENTITY_FIELDS), Map.entry("facts", FACTS_FIELDS),
                Map.entry("expect", EXPECT_FIELDS))) {
            JsonNode node = test.get(part.getKey());
            if (node != null && !node.isObject()) {
                problems.add(at + "/" + part.getKey(), part.getKey() + " is a mapping");
            } else if (node != null) {
                PolicyLoader.rejectUnknown(node, at + "/" + part.getKey(), part.getValue(), problems);
            }
        }
        JsonNode protocol = test.path("call").get("protocol");
        if (protocol != null && !CallDescription.PROTOCOLS.contains(protocol.asText())) {
            // A case for a protocol no call has would pass or fail against rules no real call meets.
            problems.add(at + "/call/protocol", "protocol is " + String.join(" or ", CallDescription.PROTOCOLS));
        }
        JsonNode count = test.path("facts").get("tool_call_count");
        if (count != null && !(count.canConvertToExactIntegral() && count.isIntegralNumber() && count.longValue() >= 0)) {
            // A count the gateway never keeps (a fraction, a string) would test a call no run makes.
            problems.add(at + "/facts/tool_call_count", "tool_call_count is the run's earlier tool calls: an integer, 0 or more");
        }
        if (problems.list().size() != before) {
            return null;
        }
        String name = test.path("name").asText("test " + at);
        String policyName = test.path("policy").asText(null);
        CompiledPolicy policy = policyName == null ? null : bundle.policy(policyName).orElse(null);
        if (policy == null) {
            problems.add(at + "/policy", "no policy named '" + policyName + "'");
            return null;
        }
        JsonNode expect = test.get("expect");
        if (expect == null || !expect.hasNonNull("action")) {
            problems.add(at + "/expect", "expect needs an action (and optionally a rule)");
            return null;
        }
        Instant time;
        try {
            time = test.hasNonNull("time") ? Instant.parse(test.get("time").asText()) : Instant.now();
        } catch (DateTimeParseException e) {
            problems.add(at + "/time", "time is an ISO-8601 instant such as 2026-01-05T10:00:00Z");
            return null;
        }
        PolicyRequest request = new PolicyRequest(call(test.path("call")), identity(test.path("identity")), time,
                test.has("facts") ? facts(test.get("facts")) : CallFacts.NONE);
        // A result is decided as the gateway's result stage decides it (result rules only, a deny anywhere wins, else a
        // pass), not as a call: a request rule or the document's default would make the case say what the gateway does not.
        boolean result = CallDescription.RESULT.equals(request.call().direction());
        Decision decision = result ? policy.decideResult(request) : policy.evaluate(request);
        String expectedAction = expect.get("action").asText().toUpperCase(Locale.ROOT);
        if (!(result ? Set.of("ALLOW", "DENY", "REDACT") : Set.of("ALLOW", "DENY", "AUDIT", "APPROVE")).contains(expectedAction)) {
            problems.add(at + "/expect/action", result ? "a result's action is allow, deny or redact" : "action is allow, deny, audit or approve");
            return null;
        }
        String expectedRule = expect.hasNonNull("rule") ? expect.get("rule").asText() : null;
        String actualRule = decision.ruleName() == null ? "default" : decision.ruleName();
        boolean passed = decision.action().name().equals(expectedAction) && (expectedRule == null || expectedRule.equals(actualRule));
        return new PolicyTestResult(name, problems.file(), problems.lineOf(at), passed,
                expectedAction + (expectedRule == null ? "" : " (" + expectedRule + ")"), decision.action() + " (" + actualRule + ")");
    }

    /**
     * Facts from {@code facts: {spend_usd: 9.8, cost_usd: 0.3, rate_limited: false, tool_call_count: 6}}: budget and rate
     * rules read them, and AGT conditions on {@code tool_call_count} (0, a run's first call, when not stated).
     */
    public static CallFacts facts(JsonNode facts) {
        return new AssumedFacts(dev.tollgate.policy.budget.Usd.micros(facts.path("spend_usd").decimalValue()),
                dev.tollgate.policy.budget.Usd.micros(facts.path("cost_usd").decimalValue()), facts.path("rate_limited").asBoolean(false),
                facts.path("tool_call_count").asLong(0));
    }

    /** A call from its YAML description: method (default tools/call), tool, resource, prompt, arguments. */
    public static CallDescription call(JsonNode call) {
        String method = call.path("method").asText("tools/call");
        JsonNode arguments = call.get("arguments");
        return new CallDescription(call.path("protocol").asText("mcp"), call.path("route").asText(null), method,
                call.path("tool").asText(null), call.path("resource").asText(null), call.path("prompt").asText(null),
                arguments, call.path("direction").asText(CallDescription.CLIENT_TO_SERVER));
    }

    /** An identity from its YAML description: spiffe_id, tenant, agent, run, sub, parent, tree, capabilities, claims. */
    public static Identity identity(JsonNode id) {
        List<String> capabilities = new ArrayList<>();
        id.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        Map<String, Object> claims = new HashMap<>();
        // A null claim is one the caller did not have (an audit record keeps it so), as a claim left out.
        id.path("claims").fields().forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
                claims.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue());
            }
        });
        return new Identity(id.path("spiffe_id").asText(null), id.path("tenant").asText(null), id.path("agent").asText(null),
                id.path("run").asText(null), id.path("sub").asText(null), id.path("parent").asText(null), id.path("tree").asText(null),
                capabilities, claims);
    }
}
