package dev.tollgate.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.ExactNumbers;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.admin.ExplainRequest;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.policy.Explanation;
import dev.tollgate.policy.check.CheckRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate explain}: the decision for a call and an identity, with every rule tried and why it did or
 * did not match. The same logic as the admin endpoint {@code POST /explain}, offline.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain the policy decision for a call, e.g. explain -c conf/gateway.yaml --route everything "
                + "--call '{\"tool\":\"shell_exec\",\"arguments\":{\"command\":\"rm -rf /\"}}' --identity '{\"tenant\":\"acme\"}'")
final class ExplainCommand implements Callable<Integer> {

    /** Reads numbers as the gateway's call parser does, so explain decides on what the live gateway decides on. */
    private static final ObjectMapper JSON = ExactNumbers.readingExactly(new ObjectMapper());

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml")
    Path config;

    @Option(names = "--route", paramLabel = "NAME", description = "Route whose policy decides (or use --policy).")
    String route;

    @Option(names = "--policy", paramLabel = "NAME", description = "Policy document to use directly.")
    String policy;

    @Option(names = "--call", required = true, paramLabel = "JSON",
            description = "{\"method\": \"tools/call\", \"tool\": ..., \"resource\": ..., \"prompt\": ..., \"arguments\": {...}}")
    String call;

    @Option(names = "--identity", defaultValue = "{}", paramLabel = "JSON",
            description = "{\"spiffe_id\", \"tenant\", \"agent\", \"run\", \"sub\", \"parent\", \"tree\", \"capabilities\": [...]}")
    String identity;

    @Option(names = "--time", paramLabel = "INSTANT", description = "ISO-8601 instant (default: now).")
    String time;

    @Option(names = "--facts", paramLabel = "JSON",
            description = "{\"spend_usd\": 9.8, \"cost_usd\": 0.3, \"rate_limited\": true}: what budget and rate-limit checks see "
                    + "(default: not over, not limited, and the output says those checks were not evaluated against live usage).")
    String facts;

    @Option(names = "--input-schema", paramLabel = "JSON",
            description = "The called tool's inputSchema as its tools/list showed it: the call is then refused or decided as the "
                    + "gateway does against its enums, the names it declares and the defaults it fills.")
    String inputSchema;

    @Override
    public Integer call() {
        GatewaySnapshot snapshot;
        try {
            snapshot = new SnapshotLoader(CheckRegistry.withDefaults()).load(config);
        } catch (ConfigException e) {
            VerifyCommand.printProblems(e);
            return 1;
        }
        try {
            ObjectNode input = JSON.createObjectNode();
            if (route != null) {
                input.put("route", route);
            }
            if (policy != null) {
                input.put("policy", policy);
            }
            input.set("call", json("--call", call));
            input.set("identity", json("--identity", identity));
            if (time != null) {
                input.put("time", time);
            }
            if (facts != null) {
                input.set("facts", json("--facts", facts));
            }
            if (inputSchema != null) {
                input.set("input_schema", json("--input-schema", inputSchema));
            }
            Explanation explanation = ExplainRequest.explain(snapshot, input);
            System.out.print(explanation.render());
            return explanation.decision().allowsCall() ? 0 : 3;
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /**
     * An option's JSON, or an error that names the option, the line and column, and what was expected in plain words
     * (not the parser's internals).
     */
    private static com.fasterxml.jackson.databind.JsonNode json(String option, String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(option + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")") + ": " + e.getOriginalMessage().replaceAll("\\s*\\(code \\d+\\)", "")
                    + "; expected an object such as '{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}'");
        }
    }
}
