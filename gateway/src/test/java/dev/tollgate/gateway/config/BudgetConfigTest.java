package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The budgets, redis and rate-limits sections and the pricing table: read, defaulted, and refused with a location. */
class BudgetConfigTest {

    private static final String BASE = """
            listeners: [{name: public, host: 127.0.0.1, port: 0}]
            routes: [{name: tools, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp"}]
            """;

    @TempDir
    Path dir;

    private GatewayConfig parse(String extra) throws ConfigException {
        return ConfigLoader.parse(BASE + extra, "g.yaml", Map.of(), dir);
    }

    @Test
    void withoutASectionNothingIsChargedAndTheLedgerIsInMemory() throws Exception {
        GatewayConfig config = parse("");

        assertThat(config.budget().enabled()).isFalse();
        assertThat(config.budget().ledger()).isEqualTo(BudgetConfig.LedgerKind.MEMORY);
        assertThat(config.budget().drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.rateLimits().store()).isEqualTo(RateLimitConfig.Store.LOCAL);
    }

    @Test
    void readsTheSectionsAndThePricingTable() throws Exception {
        Files.writeString(dir.resolve("pricing.yaml"), """
                default: 0.002
                routes:
                  tools:
                    default: 0.01
                    tools: {synthesize: 0.5, "search*": 0.05}
                    tokens: {input-per-1k: 0.003, output-per-1k: 0.015}
                """);
        GatewayConfig config = parse("""
                redis: {uri: "redis://127.0.0.1:6379", key-prefix: tg}
                budgets: {ledger: redis, mode: strict, cache-ttl: 2s, on-ledger-error: allow-stale, max-staleness: 30s,
                          drain-timeout: 12s, pricing: pricing.yaml}
                rate-limits: {store: redis}
                """);

        BudgetConfig budget = config.budget();
        assertThat(budget.enabled()).isTrue();
        assertThat(budget.mode()).isEqualTo(BudgetConfig.Mode.STRICT);
        assertThat(budget.cacheTtl()).isEqualTo(Duration.ofSeconds(2));
        assertThat(budget.cacheMaxAge()).isEqualTo(Duration.ofSeconds(4));
        assertThat(budget.onLedgerError()).isEqualTo(BudgetConfig.OnLedgerError.ALLOW_STALE);
        assertThat(budget.drainTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.redis().keyPrefix()).isEqualTo("tg");
        PricingTable pricing = budget.pricing();
        assertThat(pricing.estimateMicros("tools", "synthesize")).isEqualTo(500_000);
        assertThat(pricing.estimateMicros("tools", "search_web")).isEqualTo(50_000);
        assertThat(pricing.estimateMicros("tools", "other")).isEqualTo(10_000);
        assertThat(pricing.estimateMicros("elsewhere", "x")).isEqualTo(2_000);
        var result = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        result.putObject("_meta").putObject("usage").put("input_tokens", 1000).put("output_tokens", 2000);
        assertThat(pricing.actualMicros("tools", "synthesize", result)).isEqualTo(500_000 + 3_000 + 30_000);
    }

    @Test
    void anUpstreamReportingAnAbsurdCostIsChargedTheMostOneCallIs() throws Exception {
        Files.writeString(dir.resolve("pricing.yaml"), """
                default: 0.01
                reported-cost: /_meta/cost_usd
                routes:
                  tools:
                    default: 0.01
                    tokens: {input-per-1k: 0.003, output-per-1k: 0.015}
                """);
        PricingTable pricing = parse("budgets: {pricing: pricing.yaml}\n").budget().pricing();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();

        assertThat(pricing.actualMicros("tools", "t", mapper.readTree("{\"_meta\":{\"cost_usd\":1e300}}")))
                .isEqualTo(PricingTable.MAX_CHARGE_MICROS);
        assertThat(pricing.actualMicros("tools", "t", mapper.readTree("{\"_meta\":{\"cost_usd\":0.25}}"))).isEqualTo(250_000);
        assertThat(pricing.actualMicros("tools", "t", mapper.readTree("{\"_meta\":{\"usage\":{\"input_tokens\":9223372036854775807}}}")))
                .as("a token count whose price overflows a long").isEqualTo(PricingTable.MAX_CHARGE_MICROS);
        assertThat(pricing.actualMicros("tools", "t", mapper.readTree("{\"_meta\":{\"usage\":{\"input_tokens\":1000,\"output_tokens\":1000}}}")))
                .isEqualTo(10_000 + 3_000 + 15_000);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("strict over http", "budgets: {ledger: http, mode: strict, http: {spent-url: \"http://l/{tenant}/{tree}\", record-url: \"http://l/{tenant}/{tree}\"}}",
                        "budgets.mode", "strict needs a ledger that can hold"),
                Arguments.of("allow-stale without a bound", "budgets: {on-ledger-error: allow-stale}", "budgets.max-staleness", "is required"),
                Arguments.of("redis ledger without redis", "budgets: {ledger: redis}", "budgets.ledger", "top-level redis"),
                Arguments.of("shared buckets without redis", "rate-limits: {store: redis}", "rate-limits.store", "top-level redis"),
                Arguments.of("unknown mode", "budgets: {mode: loose}", "budgets.mode", "must be one of cached, strict"),
                Arguments.of("max age below ttl", "budgets: {cache-ttl: 5s, cache-max-age: 1s}", "budgets.cache-max-age", "at least cache-ttl"),
                Arguments.of("http ledger without urls", "budgets: {ledger: http}", "budgets.http", "is required"),
                Arguments.of("bad redis uri", "redis: {uri: \"http://x\"}", "redis.uri", "redis://"),
                Arguments.of("misspelt field", "budgets: {ttl: 1s}", "budgets.ttl", "unknown field"),
                Arguments.of("missing pricing file", "budgets: {pricing: nope.yaml}", "", "cannot read the pricing table"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesWithTheField(String name, String extra, String field, String message) {
        assertThatThrownBy(() -> parse(extra)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo(field);
                    assertThat(p.message()).contains(message);
                }));
    }

    @Test
    void aStrictHoldExpiryTooShortToRenewIsRefused() {
        assertThatThrownBy(() -> parse("""
                redis: {uri: "redis://127.0.0.1:6379", timeout: 500ms}
                budgets: {ledger: redis, mode: strict, hold-expiry: 1s}
                """)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p ->
                        assertThat(p.field() + ": " + p.message()).contains("hold-expiry: must be at least 1500ms")));
        assertThatThrownBy(() -> parse("""
                redis: {uri: "redis://127.0.0.1:6379", timeout: 100ms}
                budgets: {ledger: redis, mode: strict, hold-expiry: 900ms}
                """)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p ->
                        assertThat(p.field() + ": " + p.message()).contains("hold-expiry: must be at least 1000ms")));
    }

    @Test
    void aBadPriceIsReportedInThePricingFileWithItsLine() throws Exception {
        Files.writeString(dir.resolve("pricing.yaml"), "routes:\n  tools:\n    tools:\n      synthesize: cheap\n");

        assertThatThrownBy(() -> parse("budgets: {pricing: pricing.yaml}")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.file()).endsWith("pricing.yaml");
                    assertThat(p.line()).isEqualTo(4);
                    assertThat(p.message()).contains("amount of US dollars");
                }));
    }
}
