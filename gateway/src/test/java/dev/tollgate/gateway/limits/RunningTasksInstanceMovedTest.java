package dev.tollgate.gateway.limits;

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
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fix AA (review BG finding 1, for the running-task slots fix Z held under every key of a task scope): a slot names the
 * group it was taken for. Configuration 1: {@code docs -> [10.0.0.5, 10.0.0.6]}, alice's task "1" holds a slot. A reload
 * gives 10.0.0.6 to {@code billing}, another server, whose own task "1" is bob's: it holds bob's slot, and its end gives
 * bob's back, not alice's. Before the fix billing found alice's slot under 10.0.0.6: bob's task took none, and its end
 * released alice's while her task still ran.
 */
class RunningTasksInstanceMovedTest {

    private final ConcurrentCalls calls = new ConcurrentCalls();

    private final TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
    private final List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
    private final TaskScope docsAfter = scope(after, "docs");
    private final TaskScope billing = scope(after, "billing");

    @Test
    void anotherServersTaskOfTheSameIdHoldsAndEndsItsOwnSlot() {
        calls.runningTasks().started(docsBefore, "1", () -> calls.holdTask("docs", "alice"));
        assertThat(calls.tasksRunning("docs")).isEqualTo(1);

        calls.runningTasks().started(billing, "1", () -> calls.holdTask("billing", "bob"));
        assertThat(calls.tasksRunning("billing")).as("billing's task 1 is another task: bob's slot is held").isEqualTo(1);
        // Bob's slot took alice's copy's place under 10.0.0.6: Caffeine tells its removal listener on the common pool.
        ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS);
        assertThat(calls.tasksRunning("docs")).as("alice's copy replaced under the moved origin: her slot is still held").isEqualTo(1);

        calls.runningTasks().ended(billing, "1");
        assertThat(calls.tasksRunning("billing")).as("bob's task ended: his slot is given back").isZero();
        assertThat(calls.tasksRunning("docs")).as("alice's task still runs: her slot is held").isEqualTo(1);

        calls.runningTasks().ended(docsAfter, "1");
        assertThat(calls.tasksRunning("docs")).as("her task's end, seen on docs after the reload, gives hers back").isZero();
    }

    @Test
    void theOtherServersTaskEndingReleasesNoSlotOfTheFirst() {
        calls.runningTasks().started(docsBefore, "1", () -> calls.holdTask("docs", "alice"));
        calls.runningTasks().ended(billing, "1");
        assertThat(calls.tasksRunning("docs")).as("billing's task 1 is not alice's").isEqualTo(1);
    }

    @Test
    void anEndSeenFirstOnTheFirstServerTakesNoSlotFromTheOther() {
        calls.runningTasks().ended(docsBefore, "1"); // alice's task ended before its creating stream did
        calls.runningTasks().started(billing, "1", () -> calls.holdTask("billing", "bob"));
        assertThat(calls.tasksRunning("billing")).as("bob's task 1 did not end: it holds his slot").isEqualTo(1);
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
