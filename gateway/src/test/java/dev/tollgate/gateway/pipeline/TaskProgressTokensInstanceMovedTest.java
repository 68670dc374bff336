package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
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
 * Fix AA: the progress token of the call that created a task names the group it was learnt for. An origin a reload gives
 * to another server does not hold that server's task "1" to the first server's token.
 */
class TaskProgressTokensInstanceMovedTest {

    private final TaskProgressTokens tokens = new TaskProgressTokens();

    @Test
    void anotherServersTaskOfTheSameIdIsNotHeldToTheFirstServersToken() {
        TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
        List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
        TaskScope docsAfter = scope(after, "docs");
        TaskScope billing = scope(after, "billing");

        tokens.created(docsBefore, "1", IntNode.valueOf(7));
        assertThat(tokens.of(billing, "1")).as("billing's task 1 was not created with token 7").isNull();
        tokens.created(billing, "1", IntNode.valueOf(99));
        assertThat(tokens.of(billing, "1")).isEqualTo(IntNode.valueOf(99));
        assertThat(tokens.of(docsAfter, "1")).as("docs' task 1 keeps its token").isEqualTo(IntNode.valueOf(7));
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
