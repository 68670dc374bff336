package dev.tollgate.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BG, finding 1, with the Redis store against a real redis-server (see
 * {@code dev.tollgate.gateway.pipeline.TaskScopeInstanceMovedReviewBGTest}): the script writes a binding under the
 * origin of every instance of the route's group (RedisTaskStore.UNDER_EVERY_KEY), so an origin that a reload (or a
 * replica running the newer configuration) gives to another server holds the first server's bindings, and the other
 * server's own task of the same id is found already bound, first-wins, to the first server's caller.
 */
class RedisTaskStoreInstanceMovedReviewBGTest {

    private static final TaskBinding ALICES = new TaskBinding("search", "axid:acme/alice", "http://10.0.0.5:9001/mcp");
    private static final TaskBinding BOBS = new TaskBinding("charge", "axid:globex/bob", "http://10.0.0.6:9001/mcp");

    private static RedisServer redis;
    private Vertx vertx;
    private RedisTaskStore store;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void open() {
        vertx = Vertx.vertx();
        store = new RedisTaskStore(vertx, new RedisConfig(redis.uri(), "t" + System.nanoTime(), Duration.ofSeconds(2), 4),
                Duration.ofHours(1), null);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anInstanceGivenToAnotherServerHoldsNoneOfTheFirstServersBindings() throws Exception {
        TaskScope docsBefore = scope(List.of(route("docs", "http://10.0.0.5:9001/mcp", "http://10.0.0.6:9001/mcp")), "docs");
        List<RouteConfig> after = List.of(route("docs", "http://10.0.0.5:9001/mcp"), route("billing", "http://10.0.0.6:9001/mcp"));
        TaskScope billing = scope(after, "billing");

        assertThat(await(store.bindTask(docsBefore, "1", ALICES))).isNull();
        assertThat(await(store.bindContext(docsBefore, "ctx-1", "axid:acme/alice"))).isNull();

        assertThat(await(store.find(billing, Set.of("1"), Set.of("ctx-1"))).tasks())
                .as("billing's server never had alice's task").isEmpty();
        assertThat(await(store.bindTask(billing, "1", BOBS))).as("billing's own task 1, bob's: new there").isNull();
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

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
