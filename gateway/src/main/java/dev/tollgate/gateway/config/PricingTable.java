package dev.tollgate.gateway.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.condition.Glob;
import java.util.List;
import java.util.Map;

/**
 * What a call costs, in micro-USD. Before the call the price is an estimate (per tool, else per route,
 * else the default); after it, the upstream's own report wins: a cost at {@code reportedCost} in the
 * result, else the per-call price plus token usage priced per thousand when the result reports usage.
 *
 * @param reportedCost JSON pointer into a {@code tools/call} result where upstreams report the call's cost in USD
 * @param usage        JSON pointers to the input and output token counts in a result
 */
public record PricingTable(long defaultMicros, Map<String, RoutePrices> routes, JsonPointer reportedCost, TokenUsage usage) {

    public static final PricingTable NONE = new PricingTable(0, Map.of(), JsonPointer.compile("/_meta/cost_usd"),
            new TokenUsage(JsonPointer.compile("/_meta/usage/input_tokens"), JsonPointer.compile("/_meta/usage/output_tokens")));

    public PricingTable {
        routes = Map.copyOf(routes);
    }

    /** Tool prices of a route: exact names first, then globs in file order. */
    public record RoutePrices(long defaultMicros, Map<String, Long> exactTools, List<GlobPrice> globTools,
                              long inputPerThousandMicros, long outputPerThousandMicros) {
        public RoutePrices {
            exactTools = Map.copyOf(exactTools);
            globTools = List.copyOf(globTools);
        }
    }

    public record GlobPrice(Glob glob, long micros) {
    }

    public record TokenUsage(JsonPointer input, JsonPointer output) {
    }

    public boolean pricesAnything() {
        return defaultMicros > 0 || !routes.isEmpty();
    }

    /** The price known before the call: what a budget hold reserves. */
    public long estimateMicros(String route, String tool) {
        RoutePrices prices = routes.get(route);
        if (prices == null) {
            return defaultMicros;
        }
        if (tool != null) {
            Long exact = prices.exactTools().get(tool);
            if (exact != null) {
                return exact;
            }
            for (GlobPrice g : prices.globTools()) {
                if (g.glob().matches(tool)) {
                    return g.micros();
                }
            }
        }
        return prices.defaultMicros();
    }

    /** The cost after the call, from the result the upstream returned (null when there was none). */
    public long actualMicros(String route, String tool, JsonNode result) {
        long estimate = estimateMicros(route, tool);
        if (result == null) {
            return estimate;
        }
        JsonNode reported = result.at(reportedCost);
        if (reported.isNumber() && reported.decimalValue().signum() >= 0) {
            return dev.tollgate.policy.budget.Usd.micros(reported.decimalValue());
        }
        RoutePrices prices = routes.get(route);
        if (prices == null) {
            return estimate;
        }
        JsonNode in = result.at(usage.input());
        JsonNode out = result.at(usage.output());
        long tokens = 0;
        if (in.canConvertToLong() && in.longValue() > 0) {
            tokens += ceilDiv(in.longValue() * prices.inputPerThousandMicros(), 1000);
        }
        if (out.canConvertToLong() && out.longValue() > 0) {
            tokens += ceilDiv(out.longValue() * prices.outputPerThousandMicros(), 1000);
        }
        return estimate + tokens;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
