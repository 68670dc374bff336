package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.gateway.routing.TaskScope;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review BG, finding 1 (medium: a task of one server bound to a caller of another after a reload): since 8c77ae57 a
 * binding is written under the origin of <em>every</em> instance of its route's group (TaskScope.keys), not only under
 * the scope's name. An origin that a reload (or a replica running another configuration) then gives to a different
 * server keeps the copies written while it was an instance of the first: the new server's scope is named by that origin,
 * so its tasks are looked up (and first-wins decided, {@code bindFirst}) under a key that still holds the first server's
 * bindings. Task ids are the servers' own (often counters: "1", "2"...): the new server's task "1", created by bob, is
 * found already bound to alice, who created task "1" on the other server. Bob is refused his own task; alice passes the
 * ownership check on bob's task.
 *
 * <p>Exact sequence: configuration 1, route {@code docs} with instances {@code http://10.0.0.5:9001/mcp} and
 * {@code http://10.0.0.6:9001/mcp} (one server scaled out); alice's call creates task "1". Reload to configuration 2:
 * {@code docs} keeps 10.0.0.5 only, and 10.0.0.6 now serves a new route {@code billing} (another server: TaskScopes puts
 * it in a group of its own). Bob's call on {@code billing} creates that server's task "1".
 *
 * <p>Before 8c77ae57 the binding was kept under the scope's name (10.0.0.5) alone and {@code billing} shared nothing.
 *
 * <p>Suggested fix: keep only the scope's name (the least first-instance origin) as the key a binding is decided and
 * written under, and the other keys for lookup only while they stay in the same group; or key each copy with the group's
 * identity (e.g. write under "origin X" the set of the group's origins and ignore a copy whose group no longer overlaps
 * the reader's), so an origin that changes groups carries no binding across.
 */
class TaskScopeInstanceMovedReviewBGTest {

    private static final String ALICE = "axid:acme/alice";
    private static final String BOB = "axid:globex/bob";

    @Test
    void anInstanceMovedToAnotherServerCarriesNoTaskBindingAcross() {
        TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
        List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
        TaskScope docsAfter = scope(after, "docs");
        TaskScope billing = scope(after, "billing");
        assertThat(billing.keys()).as("another server after the reload: no key shared with docs " + docsAfter)
                .doesNotContainAnyElementsOf(docsAfter.keys());

        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learn(docsBefore, "1", "search", ALICE, "http://10.0.0.5:9001/mcp").result()).isTrue();

        // After the reload: billing's server answers bob's call with its own task "1".
        assertThat(origins.learn(billing, "1", "charge", BOB, "http://10.0.0.6:9001/mcp").result()).isTrue();

        assertThat(origins.boundTo(billing, "1", BOB)).as("billing's task 1 is bob's").isTrue();
        assertThat(origins.boundToAnother(billing, "1", ALICE)).as("alice did not create billing's task 1").isTrue();
        assertThat(origins.toolOf(billing, "1")).isEqualTo("charge");
        assertThat(origins.boundTo(docsAfter, "1", ALICE)).as("docs' task 1 stays alice's").isTrue();
    }

    @Test
    void aContextOfOneServerIsNotAnotherServersAfterAReload() {
        TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
        List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
        TaskScope billing = scope(after, "billing");

        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learnContext(docsBefore, "ctx-1", ALICE).result()).isTrue();

        assertThat(origins.contextBoundToAnother(billing, "ctx-1", BOB))
                .as("billing's server never saw alice's context: bob's ctx-1 there is not hers").isFalse();
    }

    private static TaskScope scope(List<RouteConfig> routes, String name) {
        return new RouteTable(routes).routes().stream().filter(r -> r.name().equals(name)).map(Route::taskScope)
                .findFirst().orElseThrow();
    }

    private static RouteConfig route(String name, String... urls) {
        return new RouteConfig(name, "/" + name, Protocol.MCP, null, Duration.ofSeconds(5), Duration.ofSeconds(30), 10, "p",
                AxidMode.OFF, List.of(), null, null, null,
                new UpstreamsConfig(Arrays.stream(urls).map(u -> new UpstreamsConfig.Endpoint(URI.create(u), 1)).toList(),
                        null, null, null), null, null);
    }
}
