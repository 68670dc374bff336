package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static final String VALID = """
            listeners:
              - name: public
                host: 127.0.0.1
                port: 8080
            admin:
              host: 127.0.0.1
              port: 9090
            routes:
              - name: tools
                path: /mcp/
                protocol: mcp
                upstream: http://127.0.0.1:3001/mcp
                response-timeout: 2m
            """;

    @Test
    void loadsAValidConfigWithDefaults() throws Exception {
        GatewayConfig config = ConfigLoader.parse(VALID, "g.yaml", Map.of());

        assertThat(config.listeners()).singleElement().satisfies(l -> {
            assertThat(l.port()).isEqualTo(8080);
            assertThat(l.allowedHosts()).containsExactlyElementsOf(ListenerConfig.DEFAULT_ALLOWED_HOSTS);
        });
        RouteConfig route = config.routes().get(0);
        assertThat(route.path()).isEqualTo("/mcp");
        assertThat(route.protocol()).isEqualTo(Protocol.MCP);
        assertThat(route.responseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(route.connectTimeout()).isEqualTo(RouteConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.limits().maxBodyBytes()).isEqualTo(LimitsConfig.DEFAULT_MAX_BODY_BYTES);
        assertThat(config.admin().allowedHosts()).containsExactlyElementsOf(ListenerConfig.DEFAULT_ALLOWED_HOSTS);
        assertThat(config.admin().allowedOrigins()).containsExactlyElementsOf(ListenerConfig.DEFAULT_ALLOWED_ORIGINS);
        assertThat(config.admin().token()).isNull();
    }

    @Test
    void aCallersTraceIsContinuedUnlessLinkIsChosen() throws Exception {
        assertThat(ConfigLoader.parse(VALID, "g.yaml", Map.of()).telemetry().linkIncomingTrace()).isFalse();
        assertThat(ConfigLoader.parse(VALID + "telemetry: {incoming-trace: link}\n", "g.yaml", Map.of()).telemetry().linkIncomingTrace()).isTrue();
    }

    @Test
    void tenantSharesDefaultToTheSharedBoundsAndAreRead() throws Exception {
        GatewayConfig defaults = ConfigLoader.parse(VALID, "g.yaml", Map.of());
        assertThat(defaults.routes().get(0).concurrency()).isEqualTo(new ConcurrencyLimits(256, 64, 256));
        assertThat(defaults.rateLimits().maxBucketsPerTenant()).isEqualTo(RateLimitConfig.DEFAULT_MAX_LOCAL_BUCKETS);

        GatewayConfig set = ConfigLoader.parse(VALID.replace("response-timeout: 2m", "response-timeout: 2m\n    max-concurrent-calls: 40\n"
                + "    max-concurrent-calls-per-tenant: 10") + "rate-limits: {store: local, max-local-buckets: 5000, max-buckets-per-tenant: 500}\n",
                "g.yaml", Map.of());
        assertThat(set.routes().get(0).concurrency()).isEqualTo(new ConcurrencyLimits(40, 40, 10));
        assertThat(set.rateLimits()).isEqualTo(new RateLimitConfig(RateLimitConfig.Store.LOCAL, 5000,
                RateLimitConfig.DEFAULT_MAX_BUCKETS_PER_OWNER, 500));
        GatewayConfig tableOnly = ConfigLoader.parse(VALID + "rate-limits: {max-local-buckets: 5000}\n", "g.yaml", Map.of());
        assertThat(tableOnly.rateLimits().maxBucketsPerTenant()).as("follows the table").isEqualTo(5000);
    }

    @Test
    void adminTokenComesFromTheEnvironmentAndNeverShowsInToString() throws Exception {
        String yaml = VALID.replace("  port: 9090", "  port: 9090\n  token: ${TOLLGATE_ADMIN_TOKEN}\n"
                + "  allowed-hosts: [tollgate-admin.internal]\n  allowed-origins: [\"https://ops.example\"]");

        AdminConfig admin = ConfigLoader.parse(yaml, "g.yaml", Map.of("TOLLGATE_ADMIN_TOKEN", "Zm9vYmFyYmF6cXV4cXV1eA==")).admin();

        assertThat(admin.token()).isEqualTo("Zm9vYmFyYmF6cXV4cXV1eA==");
        assertThat(admin.allowedHosts()).containsExactly("tollgate-admin.internal");
        assertThat(admin.allowedOrigins()).containsExactly("https://ops.example");
        assertThat(admin.toString()).doesNotContain("Zm9v").contains("token=***");
    }

    @Test
    void anUnsetOrBlankAdminTokenMeansNoToken() throws Exception {
        String fromEnv = VALID.replace("  port: 9090", "  port: 9090\n  token: ${TOLLGATE_ADMIN_TOKEN:-}");
        String blank = VALID.replace("  port: 9090", "  port: 9090\n  token: \"  \"");

        assertThat(ConfigLoader.parse(fromEnv, "g.yaml", Map.of()).admin().token()).isNull();
        assertThat(ConfigLoader.parse(blank, "g.yaml", Map.of()).admin().token()).isNull();
    }

    @Test
    void substitutesEnvironmentVariablesAndDefaults() throws Exception {
        String yaml = VALID.replace("port: 8080", "port: ${PORT}").replace("http://127.0.0.1:3001/mcp", "${UP:-http://127.0.0.1:9/x}");
        GatewayConfig config = ConfigLoader.parse(yaml, "g.yaml", Map.of("PORT", "8181"));

        assertThat(config.listeners().get(0).port()).isEqualTo(8181);
        assertThat(config.routes().get(0).upstream().toString()).isEqualTo("http://127.0.0.1:9/x");
    }

    @Test
    void escapedDollarBraceStaysLiteral() throws Exception {
        String yaml = VALID.replace("name: tools", "name: \"$${NOT_A_VAR}\"");

        assertThat(ConfigLoader.parse(yaml, "g.yaml", Map.of()).routes().get(0).name()).isEqualTo("${NOT_A_VAR}");
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("unset variable without default", VALID.replace("port: 8080", "port: ${NOPE}"), 4, "", "NOPE is not set"),
                Arguments.of("misspelt field", VALID.replace("    upstream:", "    upstraem: x\n    upstream:"), 12, "routes[0].upstraem", "unknown field"),
                Arguments.of("upstream not http", VALID.replace("http://127.0.0.1:3001/mcp", "ftp://x/y"), 12, "routes[0].upstream", "absolute http or https URL"),
                Arguments.of("bad protocol", VALID.replace("protocol: mcp", "protocol: grpc"), 11, "routes[0].protocol", "unsupported protocol 'grpc'"),
                Arguments.of("bad duration", VALID.replace("2m", "soon"), 13, "routes[0].response-timeout", "positive duration"),
                Arguments.of("port out of range", VALID.replace("8080", "70000"), 4, "listeners[0].port", "between 0 and 65535"),
                Arguments.of("missing routes", VALID.substring(0, VALID.indexOf("routes:")), 0, "routes", "is required"),
                Arguments.of("path without leading slash", VALID.replace("path: /mcp/", "path: mcp"), 10, "routes[0].path", "absolute path prefix"),
                Arguments.of("duplicate YAML key", VALID.replace("    protocol: mcp", "    protocol: mcp\n    protocol: mcp"), 12, "", "Duplicate field 'protocol'"),
                Arguments.of("admin token too short", VALID.replace("  port: 9090", "  port: 9090\n  token: abc123"), 8, "admin.token", "at least 16 characters"),
                Arguments.of("admin token with a space", VALID.replace("  port: 9090", "  port: 9090\n  token: \"abc def ghi jkl mno pqr\""), 8, "admin.token", "must be a bearer token"),
                Arguments.of("admin token not a string", VALID.replace("  port: 9090", "  port: 9090\n  token: [a, b]"), 8, "admin.token", "must be a string"),
                Arguments.of("incoming trace neither continued nor linked", VALID + "telemetry: {incoming-trace: drop}\n", 14,
                        "telemetry.incoming-trace", "must be continue or link, got 'drop'"),
                Arguments.of("admin misspelt field", VALID.replace("  port: 9090", "  port: 9090\n  allowed-host: [x]"), 8, "admin.allowed-host", "unknown field"),
                Arguments.of("AXID keys kept stale no longer than a refresh", VALID + AXID_FROM_URL.formatted("jwks-max-stale: 5m"), 0,
                        "identity.axid.jwks-max-stale", "longer than the refresh interval"),
                Arguments.of("AXID keys kept stale for ever", VALID + AXID_FROM_URL.formatted("jwks-max-stale: 100000h"), 0,
                        "identity.axid.jwks-max-stale", "at most 8760h"),
                Arguments.of("AXID clock skew above the cap", VALID + AXID_FROM_URL.formatted("clock-skew: 61s"), 0,
                        "identity.axid.clock-skew", "must be at most 60s"),
                Arguments.of("AXID clock skew of minutes", VALID + AXID_FROM_URL.formatted("clock-skew: 10m"), 0,
                        "identity.axid.clock-skew", "must be at most 60s"),
                Arguments.of("OAuth keys kept stale no longer than a refresh", VALID.replace("    response-timeout: 2m",
                        "    response-timeout: 2m\n" + OAUTH.formatted("jwks-max-stale: 1m")), 0,
                        "routes[0].oauth.jwks-max-stale", "longer than the refresh interval"),
                Arguments.of("YAML syntax error", VALID.replace("routes:", "routes: [unclosed"), 9, "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void rejectsWithFileLineAndField(String name, String yaml, int line, String field, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "g.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.file()).isEqualTo("g.yaml");
                    if (line > 0) {
                        assertThat(p.line()).as("line").isEqualTo(line);
                    }
                    assertThat(p.field()).as("field").isEqualTo(field);
                    assertThat(p.message()).contains(message);
                }));
    }

    private static final String AXID_FROM_URL = """
            identity:
              axid: {jwks-url: "https://idp.example/jwks", jwks-refresh: 5m, %s, issuer: dev, audience: tollgate}
            """;
    private static final String OAUTH = "    oauth: {resource: \"https://gw.example/mcp\", issuer: \"https://as.example\", %s}";

    @Test
    void keysFromAJwksUrlAreTrustedThroughFailedFetchesForADayUnlessConfigured() throws Exception {
        GatewayConfig byDefault = ConfigLoader.parse(VALID + AXID_FROM_URL.formatted("clock-skew: 30s"), "g.yaml", Map.of());
        GatewayConfig configured = ConfigLoader.parse(VALID.replace("    response-timeout: 2m", "    response-timeout: 2m\n"
                + OAUTH.formatted("jwks-max-stale: 2h")) + AXID_FROM_URL.formatted("jwks-max-stale: 90m"), "g.yaml", Map.of());

        assertThat(byDefault.axid().remoteKeys().maxStale()).isEqualTo(Duration.ofHours(24));
        assertThat(configured.axid().remoteKeys().maxStale()).isEqualTo(Duration.ofMinutes(90));
        assertThat(configured.routes().get(0).oauth().jwksMaxStale()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void anAxidClockSkewOfAMinuteIsTheLargestAccepted() throws Exception {
        GatewayConfig config = ConfigLoader.parse(VALID + AXID_FROM_URL.formatted("clock-skew: 60s"), "g.yaml", Map.of());

        assertThat(config.axid().clockSkew()).isEqualTo(AxidConfig.MAX_CLOCK_SKEW).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void reportsEveryProblemNotJustTheFirst() {
        String yaml = VALID.replace("8080", "-1").replace("protocol: mcp", "protocol: x");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "g.yaml", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
    }

    @Test
    void theShippedExampleConfigIsValid() throws Exception {
        GatewayConfig config = ConfigLoader.load(Path.of("../conf/gateway.yaml"));

        assertThat(config.routes()).isNotEmpty();
        assertThat(config.listeners()).isNotEmpty();
    }
}
