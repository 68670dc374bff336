package dev.tollgate.gateway.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.budget.Usd;
import dev.tollgate.policy.condition.Glob;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * What a call costs, in micro-USD. Before the call the price is an estimate (per tool, else per route,
 * else the default); after it, the upstream's own report wins: a cost at {@code reportedCost} in the
 * result, else the per-call price plus token usage priced per thousand when the result reports usage.
 *
 * @param reportedCost JSON pointer into a {@code tools/call} result where upstreams report the call's cost in USD
 * @param usage        JSON pointers to the input and output token counts in a result
 * @param source       the file it was read from (watched for reloads like gateway.yaml), or null for {@link #NONE}
 */
public record PricingTable(long defaultMicros, Map<String, RoutePrices> routes, JsonPointer reportedCost, TokenUsage usage,
                           java.nio.file.Path source) {

    public static final PricingTable NONE = new PricingTable(0, Map.of(), JsonPointer.compile("/_meta/cost_usd"),
            new TokenUsage(JsonPointer.compile("/_meta/usage/input_tokens"), JsonPointer.compile("/_meta/usage/output_tokens")), null);

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

    /**
     * The entry of the route's prices that prices {@code tool}: its own name, else the glob it matches (as written in
     * the file); null when none does (the route's default prices it) or the route has no prices.
     */
    public String priceEntry(String route, String tool) {
        RoutePrices prices = routes.get(route);
        if (prices == null || tool == null) {
            return null;
        }
        if (prices.exactTools().containsKey(tool)) {
            return tool;
        }
        for (GlobPrice g : prices.globTools()) {
            if (g.glob().matches(tool)) {
                return g.glob().toString();
            }
        }
        return null;
    }

    /**
     * The most a call on the route is priced at before it runs: the route's default or its dearest tool (exact or glob),
     * whichever is higher; the table's default for a route it does not list. What an A2A send pays when its declared
     * skill is one the gateway does not know: the agent may run any of its skills.
     */
    public long highestMicros(String route) {
        RoutePrices prices = routes.get(route);
        if (prices == null) {
            return defaultMicros;
        }
        long highest = prices.defaultMicros();
        for (long micros : prices.exactTools().values()) {
            highest = Math.max(highest, micros);
        }
        for (GlobPrice g : prices.globTools()) {
            highest = Math.max(highest, g.micros());
        }
        return highest;
    }

    /**
     * Most one call is charged, in micro-dollars ($1,000,000,000): more than any budget, so the call still exhausts
     * whatever budget it is charged to, while the ledger's sums stay far from overflowing. The cost is the
     * upstream's to report, so a reported 1e300 (or a token count near 2^63) must not throw or wrap around on the
     * way to the ledger: a charge that failed there would leave the call unpaid.
     */
    public static final long MAX_CHARGE_MICROS = 1_000_000_000L * Usd.MICROS_PER_USD;
    private static final BigDecimal MAX_CHARGE_USD = BigDecimal.valueOf(1_000_000_000L);

    /** The cost after the call, from the result the upstream returned (null when there was none); at most {@link #MAX_CHARGE_MICROS}. */
    public long actualMicros(String route, String tool, JsonNode result) {
        return actualMicros(route, estimateMicros(route, tool), result);
    }

    /**
     * The cost after a call priced at {@code estimate} before it ran (the price its budget hold reserved): what the
     * upstream reports, else the estimate plus its token usage; at most {@link #MAX_CHARGE_MICROS}.
     */
    public long actualMicros(String route, long estimate, JsonNode result) {
        return result == null ? estimate : fromResult(route, result, estimate);
    }

    /**
     * What a result itself says the call cost: its reported cost, else its token usage priced, else 0. For an answer that
     * is not the call's last (an MCP 2026-07-28 {@code input_required} leg), which must not pay the call's price again.
     */
    public long reportedMicros(String route, JsonNode result) {
        return result == null ? 0 : fromResult(route, result, 0);
    }

    /**
     * What a result says of its cost before the call's estimate is known (a task's result relayed before the call that
     * created the task ended): its reported cost, or its token usage priced, which {@link ResultCost#actual} then adds
     * to the estimate, as {@link #actualMicros} would.
     */
    public ResultCost resultCost(String route, JsonNode result) {
        BigDecimal usd = reportedUsd(result.at(reportedCost));
        boolean reported = usd != null && usd.signum() >= 0;
        return new ResultCost(reported, fromResult(route, result, 0));
    }

    /** @param reported whether the result reported its cost ({@code micros} is it), else {@code micros} is its priced usage */
    public record ResultCost(boolean reported, long micros) {

        public long actual(long estimateMicros) {
            return reported ? micros : cappedSum(Math.min(estimateMicros, MAX_CHARGE_MICROS), micros);
        }
    }

    /** The reported cost, else {@code base} plus the priced token usage. */
    private long fromResult(String route, JsonNode result, long base) {
        BigDecimal usd = reportedUsd(result.at(reportedCost));
        if (usd != null && usd.signum() >= 0) {
            return usd.compareTo(MAX_CHARGE_USD) >= 0 ? MAX_CHARGE_MICROS : Usd.micros(usd);
        }
        RoutePrices prices = routes.get(route);
        if (prices == null) {
            return base;
        }
        JsonNode in = result.at(usage.input());
        JsonNode out = result.at(usage.output());
        long total = Math.min(base, MAX_CHARGE_MICROS);
        if (in.canConvertToLong() && in.longValue() > 0) {
            total = cappedSum(total, tokenMicros(in.longValue(), prices.inputPerThousandMicros()));
        }
        if (out.canConvertToLong() && out.longValue() > 0) {
            total = cappedSum(total, tokenMicros(out.longValue(), prices.outputPerThousandMicros()));
        }
        return total;
    }

    /**
     * A reported cost: a JSON number, or a string spelling a plain decimal ("0.75": pydantic serializes Decimal so; review
     * Y); null for anything else. Exponents in a string are refused, so "1e999999999" cannot make BigDecimal work hard.
     */
    private static BigDecimal reportedUsd(JsonNode reported) {
        if (reported.isNumber()) {
            return reported.decimalValue();
        }
        if (reported.isTextual()) {
            String text = reported.textValue().strip();
            if (text.length() <= 40 && text.matches("\\d{1,30}(\\.\\d{1,18})?")) {
                return new BigDecimal(text);
            }
        }
        return null;
    }

    /** {@code tokens} at a price per thousand, rounded up; at most {@link #MAX_CHARGE_MICROS} (a product beyond a long included). */
    private static long tokenMicros(long tokens, long perThousandMicros) {
        long product = tokens * perThousandMicros;
        boolean overflowed = Math.multiplyHigh(tokens, perThousandMicros) != 0 || product < 0;
        return overflowed ? MAX_CHARGE_MICROS : Math.min(MAX_CHARGE_MICROS, ceilDiv(product, 1000));
    }

    /** Both at most {@link #MAX_CHARGE_MICROS}, so the sum cannot overflow. */
    private static long cappedSum(long a, long b) {
        return Math.min(MAX_CHARGE_MICROS, a + b);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
