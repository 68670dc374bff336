package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BJ, finding 2: strict mode with {@code on-ledger-error: allow-stale}. When a reserve fails (Redis slower than
 * {@code redis.timeout} for a moment: a fork, a failover, CLIENT PAUSE), the call is held on this gateway's account
 * against the cached read (Budgets#reserve, recover: holdLocally). That read is the ledger's {@code spent} only, and the
 * account holds nothing for this gateway's own strict calls still running: their holds live in Redis alone (a granted
 * reserve never touches TreeAccount#held). So during a blip one replica hands out again, locally, the budget its own
 * calls in flight already hold: with $2.70 of a $3.00 tree held by nine running calls, ten more $0.30 calls pass
 * instead of one. Cached mode's guarantee ("one replica never takes a tree past its budget by its own calls") does not
 * hold for strict mode's fallback, which is there to degrade to it.
 *
 * <p>Real redis-server, one replica, CLIENT PAUSE for the blip.
 */
class StrictDegradedHoldIgnoresOwnHoldsReviewBJTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: synthesis-budget
                condition: {all: [{tool: synthesize}, {check: {name: budget, args: {limit_usd: 3.00}}}]}
                action: deny
                message: spawn tree budget exhausted
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private BudgetFixture fixture;
    private final AtomicBoolean holding = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        fixture = new BudgetFixture(dir);
        fixture.policy(POLICY);
        upstream.answer(this::answer);
        http = new TestHttp(vertx);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"),
                "redis: {uri: \"" + redis.uri() + "\", timeout: 400ms}\n"
                        + "budgets: {ledger: redis, mode: strict, on-ledger-error: allow-stale, max-staleness: 1m, pricing: PRICING}"));
    }

    /** Answers each call with its own id; while {@link #holding}, keeps the answer until the test lets it go. */
    private void answer(HttpServerRequest request) {
        String body = upstream.received().get(upstream.received().size() - 1).body().toString(StandardCharsets.UTF_8);
        String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
        Runnable reply = () -> request.response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
        if (holding.get()) {
            held.add(reply);
        } else {
            reply.run();
        }
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(Runnable::run);
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        redis.close();
    }

    @Test
    void aDegradedHoldCountsTheHoldsOfThisGatewaysOwnCallsStillRunning() throws Exception {
        // Scripts loaded, connections open: a cold JVM may take longer than the 400 ms timeout for its first reserves.
        String warm = fixture.token("acme", "warm-tree");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                BudgetFixture.call(http, gateway.port(), warm, 1000, "synthesize").json().has("result"));
        Budgets budgets = gateway.gateway().services().budgets();

        String token = fixture.token("acme", "blip-tree");
        // The tree's spend is read (nothing spent): the read a degraded hold decides on.
        assertThat(BudgetFixture.call(http, gateway.port(), token, 1, "search").json().has("result")).isTrue();

        // Nine $0.30 calls run (the upstream keeps their answers): $2.70 of the $3.00 held in Redis by this gateway.
        holding.set(true);
        int before = upstream.received().size();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        List<Future<TestHttp.Reply>> running = new ArrayList<>();
        try {
            for (int i = 0; i < 9; i++) {
                int id = 10 + i;
                running.add(pool.submit(() -> BudgetFixture.call(http, gateway.port(), token, id, "synthesize")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.received().size() == before + 9);
            holding.set(false);

            // Redis is slower than redis.timeout for 8 s: every reserve now fails and falls back to a local hold (today
            // budgets.degradedHolds() counts them; a fix may deny them before any reserve, on the spend known here).
            assertThat(pauseRedis(8_000)).isEqualTo("+OK");
            int allowed = 0;
            for (int i = 0; i < 12; i++) {
                allowed += BudgetFixture.call(http, gateway.port(), token, 100 + i, "synthesize").json().has("result") ? 1 : 0;
            }

            // $3.00 - $0.05 spent - $2.70 held by this gateway's own running calls: no room for another $0.30 call (one at
            // most, whatever the read), not ten.
            assertThat(allowed).as("calls allowed during the blip on a tree whose $2.70 this gateway holds itself").isLessThanOrEqualTo(1);
        } finally {
            held.forEach(Runnable::run);
            held.clear();
            for (Future<TestHttp.Reply> call : running) {
                call.get();
            }
            pool.shutdownNow();
        }
    }

    /** Pauses every client of the test Redis (a slow Redis: a fork, a failover), on a connection of its own. */
    private String pauseRedis(long millis) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("CLIENT PAUSE " + millis + " ALL\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
