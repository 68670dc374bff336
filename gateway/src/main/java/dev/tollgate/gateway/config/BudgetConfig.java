package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;

/**
 * Spend accounting and budget enforcement ({@code budgets:} in gateway.yaml). The ledger and its cache are
 * created once at start (a reload keeps them); the pricing table is part of each reload.
 *
 * @param enabled       whether the configuration has a budgets section: only then are calls charged
 * @param ledger        where spend is kept: memory (one instance), http (a ledger service), redis
 * @param mode          cached: decide on a TTL-cached read plus this gateway's own charges since;
 *                      strict: hold each call's cost in the ledger atomically before forwarding
 * @param cacheTtl      a cached read older than this is refreshed in the background on the next call
 * @param cacheMaxAge   hard bound: a read older than this is never used to allow a call while the ledger
 *                      answers (a call then waits for a fresh read)
 * @param onLedgerError deny (fail closed), or allow on the last good read if younger than {@code maxStaleness}
 * @param timeout       per ledger operation
 * @param holdExpiry    strict mode: a hold its gateway stopped renewing (it died) is released by the ledger after this;
 *                      a settle the ledger did not confirm is retried this long
 * @param drainTimeout  on stop, how long the gateway waits for its charges to reach the ledger before giving up
 * @param pricing       the pricing table (from {@code pricing:}, a file next to gateway.yaml)
 */
public record BudgetConfig(boolean enabled, LedgerKind ledger, Mode mode, Duration cacheTtl, Duration cacheMaxAge, OnLedgerError onLedgerError,
                           Duration maxStaleness, Duration timeout, Duration holdExpiry, Duration drainTimeout, HttpLedger http,
                           PricingTable pricing) {

    public enum LedgerKind { MEMORY, HTTP, REDIS }

    public enum Mode { CACHED, STRICT }

    public enum OnLedgerError { DENY, ALLOW_STALE }

    /**
     * A ledger service over HTTP. {@code {tenant}} and {@code {tree}} in the URLs are replaced by the
     * URL-encoded values.
     *
     * @param spentUrl      GET, answers JSON with the tree's spend
     * @param spentPointer  JSON pointer to the spend in that answer, in US dollars
     * @param recordUrl     POST {@code {"<amountField>": <usd>}} to add spend
     */
    public record HttpLedger(String spentUrl, String spentPointer, String recordUrl, String amountField) {

        public URI spentUri(String tenant, String tree) {
            return URI.create(expand(spentUrl, tenant, tree));
        }

        public URI recordUri(String tenant, String tree) {
            return URI.create(expand(recordUrl, tenant, tree));
        }

        private static String expand(String template, String tenant, String tree) {
            return template.replace("{tenant}", encode(tenant)).replace("{tree}", encode(tree));
        }

        private static String encode(String value) {
            return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);

    public static final Duration DEFAULT_HOLD_EXPIRY = Duration.ofMinutes(5);

    /** Strict holds are renewed every third of hold-expiry: below this the renewals would be a load of their own. */
    public static final Duration MIN_HOLD_EXPIRY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** No budgets section: an in-memory ledger, nothing priced. */
    public static final BudgetConfig DEFAULT = new BudgetConfig(false, LedgerKind.MEMORY, Mode.CACHED, DEFAULT_TTL,
            DEFAULT_TTL.multipliedBy(2), OnLedgerError.DENY, Duration.ZERO, DEFAULT_TIMEOUT, Duration.ofMinutes(5), DEFAULT_DRAIN_TIMEOUT, null,
            PricingTable.NONE);
}
