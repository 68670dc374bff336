package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class A2aRouteConfigTest {

    private static final String YAML = """
            listeners: [{name: public, host: 127.0.0.1, port: 0}]
            routes:
              - name: agent
                path: /agents/a
                protocol: %s
                upstream: http://127.0.0.1:41241
                %s
            """;

    @Test
    void a2aRouteWithSettings() throws Exception {
        RouteConfig route = ConfigLoader.parse(YAML.formatted("a2a",
                "a2a: {public-url: \"https://gw.example.com/agents/a\", card-security: gateway, rest-base: /a2a/rest}"), "g.yaml", Map.of()).routes().get(0);

        assertThat(route.protocol()).isEqualTo(Protocol.A2A);
        assertThat(route.a2a()).isEqualTo(new A2aRouteConfig(URI.create("https://gw.example.com/agents/a"), A2aRouteConfig.CardSecurity.GATEWAY, "/a2a/rest"));
    }

    /** Each setting is optional: one alone leaves the others at their defaults (public-url was required when any was set). */
    @Test
    void eachA2aSettingAlone() throws Exception {
        RouteConfig security = ConfigLoader.parse(YAML.formatted("a2a", "a2a: {card-security: gateway}"), "g.yaml", Map.of()).routes().get(0);
        RouteConfig base = ConfigLoader.parse(YAML.formatted("a2a", "a2a: {rest-base: /rest}"), "g.yaml", Map.of()).routes().get(0);

        assertThat(security.a2a()).isEqualTo(new A2aRouteConfig(null, A2aRouteConfig.CardSecurity.GATEWAY, null));
        assertThat(base.a2a()).isEqualTo(new A2aRouteConfig(null, A2aRouteConfig.CardSecurity.UPSTREAM, "/rest"));
    }

    @Test
    void a2aRouteDefaults() throws Exception {
        RouteConfig route = ConfigLoader.parse(YAML.formatted("a2a", ""), "g.yaml", Map.of()).routes().get(0);

        assertThat(route.a2a()).isEqualTo(A2aRouteConfig.DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mcp | a2a: {card-security: gateway} | routes[0].a2a | only applies to routes with protocol: a2a",
            "a2a | a2a: {card-security: maybe} | routes[0].a2a.card-security | must be one of upstream, gateway",
            "a2a | a2a: {public-url: \"ftp://x\"} | routes[0].a2a.public-url | absolute http or https URL",
            "a2a | a2a: {public-ur: x} | routes[0].a2a.public-ur | unknown field",
            "a2a | a2a: {rest-base: a2a/rest} | routes[0].a2a.rest-base | starting with '/'"})
    void badA2aSettingsAreLocatedErrors(String protocol, String settings, String where, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(YAML.formatted(protocol, settings), "g.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo(where);
                    assertThat(p.message()).contains(message);
                }));
    }
}
