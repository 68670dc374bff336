package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.budget.SpendKey;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fix AA (review BG finding 1, for what fix Z filed under every key of a task scope): a task's deferred cost, and an early
 * result, name the group they were filed for. Configuration 1: {@code docs -> [10.0.0.5, 10.0.0.6]}, alice's task "1"
 * deferred. A reload gives 10.0.0.6 to {@code billing}, another server, whose own task "1" is bob's: its creation files
 * bob's cost, its result settles bob's, and alice's stays for docs. Before the fix the copy under 10.0.0.6 was found by
 * billing: bob's result settled alice's cost (at his reported cost), and his own was never filed.
 */
class DeferredCostsInstanceMovedTest {

    private final DeferredCosts deferred = new DeferredCosts(Duration.ofHours(1));
    private final CallCharge alices = new CallCharge(new SpendKey("acme", "alice"), new TreeAccount(), "docs", "search", 300_000, true, null);
    private final CallCharge bobs = new CallCharge(new SpendKey("globex", "bob"), new TreeAccount(), "billing", "charge", 100_000, true, null);

    private final TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
    private final List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
    private final TaskScope docsAfter = scope(after, "docs");
    private final TaskScope billing = scope(after, "billing");

    @Test
    void anotherServersTaskOfTheSameIdSettlesItsOwnCostNotTheFirstServers() {
        assertThat(billing.keys()).doesNotContainAnyElementsOf(docsAfter.keys());
        assertThat(deferred.taskCreated(docsBefore, "1", new DeferredCosts.Deferred(alices, 300_000))).isNull();

        assertThat(deferred.taskCreated(billing, "1", new DeferredCosts.Deferred(bobs, 100_000))).isNull();
        DeferredCosts.Deferred settledOnBilling = deferred.takeTask(billing, "1");
        assertThat(settledOnBilling).as("billing's task 1 has bob's cost filed").isNotNull();
        assertThat(settledOnBilling.charge()).as("bob's result settles bob's cost, not alice's").isSameAs(bobs);

        DeferredCosts.Deferred settledOnDocs = deferred.takeTask(docsAfter, "1");
        assertThat(settledOnDocs).as("alice's cost is still docs'").isNotNull();
        assertThat(settledOnDocs.charge()).isSameAs(alices);
    }

    @Test
    void anEarlyResultOfTheFirstServerIsNotTheOtherServersTask() {
        deferred.taskResultFirst(docsBefore, "1", new PricingTable.ResultCost(true, 750_000));

        assertThat(deferred.taskCreated(billing, "1", new DeferredCosts.Deferred(bobs, 100_000)))
                .as("docs' task 1 reported $0.75; billing's task 1 has not reported yet").isNull();
        assertThat(deferred.takeTask(billing, "1")).as("bob's cost waits for his result").isNotNull();
        assertThat(deferred.taskCreated(docsAfter, "1", new DeferredCosts.Deferred(alices, 300_000)).actual(300_000))
                .as("docs' early result is still docs'").isEqualTo(750_000);
    }

    @Test
    void theFirstServersCostIsNotTakenByTheOtherServersResult() {
        deferred.taskCreated(docsBefore, "1", new DeferredCosts.Deferred(alices, 300_000));
        assertThat(deferred.takeTask(billing, "1")).as("billing's task 1 deferred nothing").isNull();
        assertThat(deferred.takeTask(docsAfter, "1")).isNotNull();
    }

    static TaskScope scope(List<RouteConfig> routes, String name) {
        return new RouteTable(routes).routes().stream().filter(r -> r.name().equals(name)).map(Route::taskScope)
                .findFirst().orElseThrow();
    }

    static RouteConfig route(String name, String... urls) {
        return new RouteConfig(name, "/" + name, Protocol.MCP, null, Duration.ofSeconds(5), Duration.ofSeconds(30), 10, "p",
                AxidMode.OFF, List.of(), null, null, null,
                new UpstreamsConfig(Arrays.stream(urls).map(u -> new UpstreamsConfig.Endpoint(URI.create(u), 1)).toList(),
                        null, null, null), null, null);
    }
}
