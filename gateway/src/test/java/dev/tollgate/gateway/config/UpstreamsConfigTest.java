package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A route's {@code upstreams:} list, balancing, health check and ejection settings: loaded, defaulted, and refused with the field named. */
class UpstreamsConfigTest {

    private static String route(String upstreams) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 8080}]
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                %s
                """.formatted(upstreams.indent(4).stripTrailing());
    }

    @Test
    void aListOfInstancesWithWeightsAndEverySetting() throws ConfigException {
        RouteConfig route = ConfigLoader.parse(route("""
                upstreams:
                  - {url: "http://10.0.0.1:3001/mcp", weight: 3}
                  - {url: "http://10.0.0.2:3001/mcp"}
                balance: round-robin
                health-check: {interval: 2s, timeout: 1s, unhealthy-after: 3, healthy-after: 2}
                outlier-ejection: {consecutive-failures: 4, base-time: 5s, max-time: 1m}"""), "g.yaml", Map.of()).routes().get(0);
        UpstreamsConfig u = route.upstreams();
        assertThat(u.endpoints()).extracting(e -> e.url().toString(), UpstreamsConfig.Endpoint::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http://10.0.0.1:3001/mcp", 3), org.assertj.core.groups.Tuple.tuple("http://10.0.0.2:3001/mcp", 1));
        assertThat(u.balance()).isEqualTo(UpstreamsConfig.Balance.ROUND_ROBIN);
        assertThat(u.healthCheck()).isEqualTo(new UpstreamsConfig.HealthCheck(Duration.ofSeconds(2), Duration.ofSeconds(1),
                UpstreamsConfig.Probe.MCP_PING, null, 3, 2));
        assertThat(u.ejection()).isEqualTo(new UpstreamsConfig.OutlierEjection(4, Duration.ofSeconds(5), Duration.ofMinutes(1)));
        // The first instance stands for the route where one URL is needed (the startup line, upstream-tls checks).
        assertThat(route.upstream().toString()).isEqualTo("http://10.0.0.1:3001/mcp");
    }

    @Test
    void oneUpstreamIsAListOfOneWithTheDefaults() throws ConfigException {
        UpstreamsConfig u = ConfigLoader.parse(route("upstream: http://127.0.0.1:3001/mcp"), "g.yaml", Map.of()).routes().get(0).upstreams();
        assertThat(u.endpoints()).hasSize(1);
        assertThat(u.balance()).isEqualTo(UpstreamsConfig.Balance.LEAST_REQUESTS);
        assertThat(u.healthCheck()).isNull();
        assertThat(u.ejection()).isEqualTo(UpstreamsConfig.OutlierEjection.DEFAULT);
    }

    @Test
    void anA2aRouteProbesItsAgentCard() throws ConfigException {
        String yaml = route("""
                upstream: http://127.0.0.1:3001/a2a
                health-check: {}""").replace("protocol: mcp", "protocol: a2a");
        UpstreamsConfig.HealthCheck check = ConfigLoader.parse(yaml, "g.yaml", Map.of()).routes().get(0).upstreams().healthCheck();
        assertThat(check.probe()).isEqualTo(UpstreamsConfig.Probe.HTTP);
        assertThat(check.path()).isEqualTo("/.well-known/agent-card.json");
        assertThat(check.interval()).isEqualTo(UpstreamsConfig.HealthCheck.DEFAULT_INTERVAL);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("both forms", "upstream: http://a:1/mcp\nupstreams: [{url: \"http://b:1/mcp\"}]", "routes[0].upstreams", "not both"),
                Arguments.of("neither", "policy: p", "routes[0].upstream", "is required"),
                Arguments.of("empty list", "upstreams: []", "routes[0].upstreams", "at least one instance"),
                Arguments.of("instance not http", "upstreams: [{url: \"ftp://a/b\"}]", "routes[0].upstreams[0].url", "absolute http or https URL"),
                Arguments.of("instance without url", "upstreams: [{weight: 2}]", "routes[0].upstreams[0].url", "is required"),
                Arguments.of("weight zero", "upstreams: [{url: \"http://a:1/mcp\", weight: 0}]", "routes[0].upstreams[0].weight", "positive"),
                Arguments.of("weight too large", "upstreams: [{url: \"http://a:1/mcp\", weight: 1000}]", "routes[0].upstreams[0].weight", "at most 100"),
                Arguments.of("listed twice", "upstreams: [{url: \"http://a:1/mcp\"}, {url: \"http://a:1/mcp\"}]", "routes[0].upstreams[1].url", "listed twice"),
                Arguments.of("mixed schemes", "upstreams: [{url: \"http://a:1/mcp\"}, {url: \"https://b:1/mcp\"}]", "routes[0].upstreams", "same scheme"),
                Arguments.of("misspelt instance field", "upstreams: [{url: \"http://a:1/mcp\", wieght: 2}]", "routes[0].upstreams[0].wieght", "unknown field"),
                Arguments.of("unknown balance", "upstream: http://a:1/mcp\nbalance: random", "routes[0].balance", "least-requests, round-robin"),
                Arguments.of("timeout over interval", "upstream: http://a:1/mcp\nhealth-check: {interval: 1s, timeout: 2s}", "routes[0].health-check.timeout",
                        "not be longer than the interval"),
                Arguments.of("path on a ping probe", "upstream: http://a:1/mcp\nhealth-check: {path: /health}", "routes[0].health-check.path", "probe: http"),
                Arguments.of("unknown probe", "upstream: http://a:1/mcp\nhealth-check: {probe: icmp}", "routes[0].health-check.probe", "mcp-ping, http, tcp"),
                Arguments.of("max under base", "upstream: http://a:1/mcp\noutlier-ejection: {base-time: 1m, max-time: 10s}",
                        "routes[0].outlier-ejection.max-time", "not be shorter than base-time"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusedWithTheFieldNamed(String name, String upstreams, String field, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(route(upstreams), "g.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.field()).as("field").isEqualTo(field);
                    assertThat(p.message()).contains(message);
                }));
    }
}
