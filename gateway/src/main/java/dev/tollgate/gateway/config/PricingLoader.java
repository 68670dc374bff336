package dev.tollgate.gateway.config;

import com.fasterxml.jackson.core.JsonPointer;
import dev.tollgate.policy.condition.Glob;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pricing table ({@code pricing.yaml}), with the same located problems as gateway.yaml:
 * <pre>{@code
 * default: 0                     # USD per call when nothing below applies
 * reported-cost: /_meta/cost_usd # where upstreams report a call's actual cost in a tools/call result
 * usage: {input-tokens: /_meta/usage/input_tokens, output-tokens: /_meta/usage/output_tokens}
 * routes:
 *   mcp:
 *     default: 0.001
 *     tools: {synthesize: 0.50, "search*": 0.01}
 *     tokens: {input-per-1k: 0.003, output-per-1k: 0.015}
 * }</pre>
 */
final class PricingLoader {

    private static final Set<String> TOP = Set.of("default", "reported-cost", "usage", "routes");
    private static final Set<String> USAGE = Set.of("input-tokens", "output-tokens");
    private static final Set<String> ROUTE = Set.of("default", "tools", "tokens");
    private static final Set<String> TOKENS = Set.of("input-per-1k", "output-per-1k");

    private PricingLoader() {
    }

    static PricingTable load(Path file, List<ConfigProblem> problems) {
        String source = file.toString();
        LocatedYaml doc;
        try {
            doc = LocatedYaml.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            problems.add(new ConfigProblem(source, 0, "", "cannot read the pricing table: " + e.getMessage()));
            return PricingTable.NONE;
        } catch (YamlSyntaxException e) {
            problems.add(new ConfigProblem(source, e.line(), "", e.getMessage()));
            return PricingTable.NONE;
        }
        NodeReader root = new NodeReader(source, doc, "", doc.root(), problems);
        if (!root.isObject()) {
            root.problem("the pricing table is a mapping with default, reported-cost, usage and routes");
            return PricingTable.NONE;
        }
        root.rejectUnknown(TOP);
        JsonPointer reported = pointer(root, "reported-cost", PricingTable.NONE.reportedCost());
        NodeReader usage = root.child("usage");
        usage.rejectUnknown(USAGE);
        PricingTable.TokenUsage tokenUsage = new PricingTable.TokenUsage(
                pointer(usage, "input-tokens", PricingTable.NONE.usage().input()),
                pointer(usage, "output-tokens", PricingTable.NONE.usage().output()));
        Map<String, PricingTable.RoutePrices> routes = new HashMap<>();
        NodeReader routesNode = root.child("routes");
        for (String route : routesNode.fieldNames()) {
            routes.put(route, route(routesNode.child(route)));
        }
        return new PricingTable(root.usdMicros("default", 0), routes, reported, tokenUsage, file);
    }

    private static PricingTable.RoutePrices route(NodeReader r) {
        r.rejectUnknown(ROUTE);
        Map<String, Long> exact = new HashMap<>();
        List<PricingTable.GlobPrice> globs = new ArrayList<>();
        NodeReader tools = r.child("tools");
        for (String tool : tools.fieldNames()) {
            long price = tools.usdMicros(tool, 0);
            if (tool.contains("*") || tool.contains("?")) {
                globs.add(new PricingTable.GlobPrice(Glob.of(tool), price));
            } else {
                exact.put(tool, price);
            }
        }
        NodeReader tokens = r.child("tokens");
        tokens.rejectUnknown(TOKENS);
        return new PricingTable.RoutePrices(r.usdMicros("default", 0), exact, globs,
                tokens.usdMicros("input-per-1k", 0), tokens.usdMicros("output-per-1k", 0));
    }

    private static JsonPointer pointer(NodeReader r, String field, JsonPointer fallback) {
        if (!r.has(field)) {
            return fallback;
        }
        String text = r.string(field, null);
        if (text == null) {
            return fallback;
        }
        try {
            return JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            r.problemAt(field, "must be a JSON pointer such as /_meta/cost_usd");
            return fallback;
        }
    }
}
