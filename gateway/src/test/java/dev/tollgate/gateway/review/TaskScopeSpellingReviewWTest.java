package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review W, finding 3 (low: the review V cross-route task read comes back for some configurations): TaskScopes groups
 * routes by the origin string of their upstream URLs, folding only case and default ports. Several spellings that name
 * exactly one server (not an alias nor a second name: the same DNS name or the same IP address) are different origins to
 * it, so the two routes keep apart task bindings and the second route is one where nobody's tasks are bound: another
 * tenant reads a task by naming it there (TaskAcrossRoutesReviewVTest's consequence).
 *
 * <p>Exact input: two routes, {@code mcp -> A} and {@code partners -> B}, with (A, B) one of: a fully qualified name with
 * its root dot ({@code tools.internal} / {@code tools.internal.}: one DNS name, RFC 1034 3.1); an IPv6 literal with and
 * without zero compression ({@code [::1]} / {@code [0:0:0:0:0:0:0:1]}); an IPv6 literal in upper case digits
 * ({@code [fd00::a]} / {@code [FD00::A]} is folded, but {@code [fd00::0a]} is not); an IPv4 address and its IPv4-mapped
 * IPv6 form ({@code 10.0.0.5} / {@code [::ffff:10.0.0.5]}, one socket address on a dual-stack host).
 *
 * <p>Gateway's reading: two servers, two scopes. The network's: one server, one task store.
 *
 * <p>Suggested fix: canonicalize the host before comparing: drop one trailing dot of a DNS name, parse IP literals
 * (without DNS: {@code InetAddress.getByName} on a literal, or Netty's {@code NetUtil}) to their address bytes, an
 * IPv4-mapped IPv6 address to its IPv4 address. (Aliases proper stay out of reach without resolving; the class javadoc
 * says so, but these spellings are not aliases.)
 */
class TaskScopeSpellingReviewWTest {

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource({
            "http://tools.internal:3000/mcp, http://tools.internal.:3000/partners",
            "http://[::1]:3000/mcp, http://[0:0:0:0:0:0:0:1]:3000/partners",
            "http://[fd00::a]:3000/mcp, http://[fd00::0a]:3000/partners",
            "http://10.0.0.5:3000/mcp, http://[::ffff:10.0.0.5]:3000/partners",
    })
    void twoSpellingsOfOneServerShareTaskBindings(String first, String second) {
        Map<String, String> scopes = new RouteTable(List.of(route("mcp", first), route("partners", second))).routes().stream()
                .collect(Collectors.toMap(Route::name, r -> r.taskScope().name()));

        assertThat(scopes.get("partners")).as("one server, so one task scope: " + scopes).isEqualTo(scopes.get("mcp"));
    }

    private static RouteConfig route(String name, String url) {
        return new RouteConfig(name, "/" + name, Protocol.MCP, null, Duration.ofSeconds(5), Duration.ofSeconds(30), 10, "p",
                AxidMode.OFF, List.of(), null, null, null,
                new UpstreamsConfig(List.of(new UpstreamsConfig.Endpoint(URI.create(url), 1)), null, null, null), null, null);
    }
}
