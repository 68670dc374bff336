package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.PricingTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review Y, finding (low): a cost the upstream reports as a JSON string is ignored without a trace. PricingTable.actualMicros
 * reads the reported cost only when it is a JSON number; {@code "cost_usd": "0.75"} falls through to the estimate (or the
 * token usage), with no metric and no log. A string is what Python servers send for money by default: pydantic v2
 * serializes {@code Decimal} as a string in JSON mode ({@code Decimal("0.75")} -> {@code "0.75"}), and FastMCP builds
 * {@code _meta} through pydantic; JSON APIs that must not lose cents (Stripe-like "amount_decimal") do the same.
 *
 * <p>Input: synthesize priced $0.30 (route default $0.01); result {@code {"_meta": {"cost_usd": "0.75"}}}.
 *
 * <p>Gateway accounted: $0.30. The upstream charged: $0.75 (a budget of $1.00 runs 3 such calls instead of 1). The
 * reverse holds for an upstream charging less than the price.
 *
 * <p>Suggested fix: accept a string holding a plain decimal number (BigDecimal parse, no exponent games beyond what
 * BigDecimal reads, same cap and sign check); count and log (rate-limited) a reported cost present at the pointer but
 * unreadable, so operators learn their upstream's format is not being read.
 */
class DecimalStringCostReviewYTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final PricingTable PRICES = new PricingTable(0,
            Map.of("r", new PricingTable.RoutePrices(10_000, Map.of("synthesize", 300_000L), List.of(), 0, 0)),
            JsonPointer.compile("/_meta/cost_usd"), PricingTable.NONE.usage(), null);

    @Test
    void controlANumberIsCharged() throws Exception {
        assertThat(PRICES.actualMicros("r", "synthesize", JSON.readTree("{\"_meta\":{\"cost_usd\":0.75}}"))).isEqualTo(750_000);
    }

    @Test
    void aDecimalStringIsChargedAsTheNumberItSpells() throws Exception {
        assertThat(PRICES.actualMicros("r", "synthesize", JSON.readTree("{\"_meta\":{\"cost_usd\":\"0.75\"}}")))
                .as("cost_usd \"0.75\" (pydantic Decimal)").isEqualTo(750_000);
    }
}
