package dev.tollgate.policy.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money as a long count of micro-dollars (1 USD = 1,000,000): exact addition, no floating-point drift in
 * a ledger that sums millions of small charges, and a range (9.2e12 USD) no budget reaches.
 */
public final class Usd {

    public static final long MICROS_PER_USD = 1_000_000L;

    private Usd() {
    }

    /** Parses a decimal dollar amount ("10", "0.0025"); sub-micro fractions round up, so a price is never lost. */
    public static long micros(BigDecimal usd) {
        return usd.movePointRight(6).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    public static long micros(double usd) {
        return micros(BigDecimal.valueOf(usd));
    }

    public static BigDecimal toUsd(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }

    /** "$10.00", "$0.0025": at least cents, more digits only when they carry value. */
    public static String format(long micros) {
        BigDecimal usd = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        if (usd.scale() < 2) {
            usd = usd.setScale(2, RoundingMode.UNNECESSARY);
        }
        return "$" + usd.toPlainString();
    }
}
