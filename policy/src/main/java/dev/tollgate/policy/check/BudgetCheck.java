package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.budget.Usd;
import java.math.BigDecimal;

/**
 * {@code check: {name: budget, args: {limit_usd: 10}}} holds when this call would take its spawn tree's
 * spend (tenant and tree from the AXID) past the limit. Used as a condition of a deny rule:
 * <pre>{@code
 * - name: synthesis-budget
 *   condition: {all: [{tool: "synthesize*"}, {check: {name: budget, args: {limit_usd: 10}}}]}
 *   action: deny
 *   message: spawn tree budget for synthesis exhausted
 * }</pre>
 * The answer comes from {@link dev.tollgate.policy.CallFacts}: spend the gateway read through its cache
 * plus its own charges since. When the call fits, the gateway holds its cost against the limit before
 * forwarding (locally, or in the ledger in strict mode) and denies by this rule if the hold is refused.
 * Spend that cannot be known (ledger down, no spawn tree in the AXID) denies, unless the gateway is
 * configured to allow on a recent enough cached value.
 */
public final class BudgetCheck implements PolicyCheck {

    public static final String NAME = "budget";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompiledCheck compile(JsonNode args) {
        return compile(args, null);
    }

    @Override
    public CompiledCheck compile(JsonNode args, String rule) {
        JsonNode limit = args == null ? null : args.get("limit_usd");
        if (limit == null || !limit.isNumber() || limit.decimalValue().signum() <= 0) {
            throw new IllegalArgumentException("budget needs args.limit_usd, a positive amount in US dollars");
        }
        if (args.size() != 1) {
            throw new IllegalArgumentException("budget takes only limit_usd");
        }
        BigDecimal usd = limit.decimalValue();
        long limitMicros = Usd.micros(usd);
        String name = rule == null ? NAME : rule;
        return request -> request.facts().overBudget(name, limitMicros);
    }
}
