package dev.tollgate.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routes reaching one server share their task bindings; a route alone keeps its name as its scope. */
class TaskScopesTest {

    @Test
    void routesToOneServerShareTheLeastOfTheirNamesWhateverTheirPaths() {
        Map<String, String> scopes = names(TaskScopes.of(List.of(
                route("mcp", "http://10.0.0.5:3000/mcp"),
                route("partners", "http://10.0.0.5:3000/other-mount"),
                route("billing", "http://10.0.0.9:3000/mcp"),
                route("alone", "https://tools.example/mcp"))));

        assertThat(scopes).containsEntry("mcp", "origin http://10.0.0.5:3000").containsEntry("partners", "origin http://10.0.0.5:3000")
                .containsEntry("billing", "origin http://10.0.0.9:3000").containsEntry("alone", "origin https://tools.example:443");
    }

    @Test
    void instancesJoinGroupsTransitivelyAndDefaultPortsAndCaseAreTheSameOrigin() {
        Map<String, String> scopes = names(TaskScopes.of(List.of(
                route("c", "http://a.example/mcp", "http://b.example:8080/mcp"),
                route("b", "HTTP://B.EXAMPLE:8080/x"),
                route("a", "http://c.example:80/mcp"),
                route("d", "http://c.example/mcp", "http://a.example:80/y"),
                route("e", "https://a.example/mcp"))));

        String group = "origin http://a.example:80";
        assertThat(scopes).containsEntry("a", group).containsEntry("b", group).containsEntry("c", group).containsEntry("d", group)
                .as("https is another origin").containsEntry("e", "origin https://a.example:443");
    }

    /**
     * Review AY / fixR: scaling a route out with an instance whose origin sorts before its first one kept the route's
     * bindings under a key nobody had written (its tasks became anyone's, and lost their instance).
     */
    @Test
    void scalingARouteOutKeepsItsScopeWhateverTheNewInstanceIsNamed() {
        String before = TaskScopes.of(List.of(route("tools", "http://10.0.0.9:3000/mcp"))).get("tools").name();
        Map<String, String> after = names(TaskScopes.of(List.of(route("tools", "http://10.0.0.9:3000/mcp", "http://10.0.0.1:3000/mcp"))));

        assertThat(after).containsEntry("tools", before);
    }

    private static Map<String, String> names(Map<String, TaskScope> scopes) {
        Map<String, String> names = new java.util.HashMap<>();
        scopes.forEach((route, scope) -> names.put(route, scope.name()));
        return names;
    }

    private static RouteConfig route(String name, String... urls) {
        List<UpstreamsConfig.Endpoint> endpoints = Arrays.stream(urls).map(url -> new UpstreamsConfig.Endpoint(URI.create(url), 1)).toList();
        return new RouteConfig(name, "/" + name, Protocol.MCP, null, Duration.ofSeconds(5), Duration.ofSeconds(30), 10, "p",
                AxidMode.OFF, List.of(), null, null, null, new UpstreamsConfig(endpoints, null, null, null), null, null);
    }
}
