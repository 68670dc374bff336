package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadResult;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BP (reload, medium): a reload that adds a {@code budgets:} section is reported applied, with nothing in
 * {@code needRestart}, but the gateway keeps not charging calls. {@code Budgets.accounting()} reads
 * {@code BudgetConfig.enabled} of the configuration the process started with (Budgets is built once, in Gateway.start),
 * and {@code Gateway.swap} compares the ledger, mode, cache and http settings of the budget section, never
 * {@code enabled}. So a priced call whose policy sets no budget obligation of its own (here a {@code search} at the
 * pricing file's $0.50) is never written to the spawn tree's spend, and a budget rule on other tools (README's
 * "block synthesis once the spawn tree has spent $X") never sees it: the tree spends past its budget.
 *
 * <p>Control: a gateway started from the very same files charges the call $0.50.
 *
 * <p>Should be: the reload turns accounting on (accounting read from the serving snapshot), or at least says
 * {@code needRestart: [budgets]} as it does for a changed ledger.
 */
class BudgetsAddedByReloadReviewBPTest {

    private static final String PRICING = """
            routes:
              upstream:
                default: 0.50
                tools:
                  synthesize: 0.30
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private ReviewYBudgetWorld world;
    private Gateway gateway;
    private Gateway control;
    private ReloadWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, PRICING, ReviewYBudgetWorld.SYNTH_BUDGET_POLICY);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"found\"}]}}");
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        for (Gateway g : new Gateway[] {gateway, control}) {
            if (g != null) {
                g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Gateway startFrom(Path config, SnapshotLoader loader) throws Exception {
        return Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static long spent(Gateway g, String tenant, String tree) throws Exception {
        return g.services().budgets().ledger().spent(new SpendKey(tenant, tree)).toCompletableFuture().get();
    }

    /** Waits (bounded) for the call's charge to reach the ledger; returns what is there then. */
    private static long spendAfterCall(Gateway g, String tenant, String tree, long expected) throws Exception {
        try {
            // Only a liveness bound: a loaded machine may take seconds to record the charge.
            await().atMost(Duration.ofSeconds(10)).until(() -> spent(g, tenant, tree) == expected);
        } catch (ConditionTimeoutException e) {
            // reported by the caller's assertion
        }
        return spent(g, tenant, tree);
    }

    private void search(Gateway g, String token, int id) throws Exception {
        TestHttp.Reply reply = ReviewYBudgetWorld.post(http, g.port(), token, "2025-06-18",
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}");
        assertThat(reply.json().has("result")).as(reply.body().toString()).isTrue();
    }

    @Test
    void aReloadAddingBudgetsChargesCallsOrSaysItNeedsARestart() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, world.gatewayYaml(upstream.url("/mcp"), ""));
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        gateway = startFrom(config, loader);
        watcher = new ReloadWatcher(config, gateway, loader);

        // The operator turns budgets on: the pricing file prices search at $0.50.
        Files.writeString(config, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING}"));
        ReloadResult result = watcher.reloadNow().get(10, TimeUnit.SECONDS);
        assertThat(result.applied()).as(result.problems().toString()).isTrue();
        assertThat(gateway.snapshot().config().budget().enabled()).as("the serving snapshot has budgets on").isTrue();

        // Control: a gateway started from the same files charges search its $0.50.
        control = startFrom(config, new SnapshotLoader(CheckRegistry.withDefaults()));
        search(control, world.token("acme", "tree-control", "run-1"), 1);
        assertThat(spendAfterCall(control, "acme", "tree-control", 500_000)).as("control: started with budgets on").isEqualTo(500_000);

        search(gateway, world.token("acme", "tree-reloaded", "run-1"), 2);
        long charged = spendAfterCall(gateway, "acme", "tree-reloaded", 500_000);

        assertThat(charged == 500_000 || result.needRestart().stream().anyMatch(s -> s.startsWith("budgets")))
                .as("after a reload adding budgets (reported applied, needRestart %s), a $0.50 search was charged $%s",
                        result.needRestart(), charged / 1_000_000.0)
                .isTrue();
    }
}
