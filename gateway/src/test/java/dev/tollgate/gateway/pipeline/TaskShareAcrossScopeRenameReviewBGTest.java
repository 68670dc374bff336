package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.routing.TaskScope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Review BG, finding 2 (low: a tenant's binding cap, tasks.max-bindings-per-tenant, exceeded without bound after a
 * reload): since 8c77ae57 a binding's tenant share is taken once, under the scope's name (the "anchor"), and given back
 * only when the entry under the anchor's key expires (TaskOrigins' eviction listeners). A reload that takes the anchor's
 * origin out of the route's scope (scaling in: the route's first instance removed) leaves that entry unread: it expires
 * after the retention and gives the share back, while the copies under the instances that stay are read on every use
 * and live on. The class doc calls this "a retention at most"; it lasts as long as the task is in use, and the tenant
 * meanwhile binds as many more as its cap allows. (A reload back to the first configuration copies the binding under the
 * anchor's key again, anchored there, and its next expiry gives the share back a second time: the excess grows with
 * each round.)
 *
 * <p>Suggested fix: anchor a binding's share to the binding, not to one key: e.g. give it back when the last copy of it
 * expires (count copies per (binding identity)), or re-anchor (move the share) to the scope's current name when a
 * lookup finds the anchor's key outside the scope.
 */
class TaskShareAcrossScopeRenameReviewBGTest {

    private static final String EVIL = "axid:evil/bot";
    private static final TaskScope A_AND_B = new TaskScope("origin a", List.of("origin a", "origin b"));
    private static final TaskScope B_ONLY = TaskScope.named("origin b");

    @Test
    void aBindingStillInUseKeepsItsTenantsShareAfterItsFirstInstanceIsRemoved() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofMillis(200), 1);
        assertThat(origins.learn(A_AND_B, "t1", "search", EVIL, null).result()).isTrue();
        assertThat(origins.roomForTask(EVIL)).as("the cap of one is held by t1").isFalse();

        // Reload: the route's scope is [b] now. t1 stays in use (named every 40 ms, well within the retention) for 20
        // retentions; its share must stay taken all along.
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4_000);
        while (System.nanoTime() < end && !origins.roomForTask(EVIL)) {
            assertThat(origins.boundTo(B_ONLY, "t1", EVIL)).as("t1 in use, still bound").isTrue();
            Thread.sleep(40);
        }
        assertThat(origins.boundTo(B_ONLY, "t1", EVIL)).isTrue();
        assertThat(origins.roomForTask(EVIL)).as("t1 is bound and in use: evil's share is still full").isFalse();
        assertThat(origins.learn(B_ONLY, "t2", "search", EVIL, null).result()).as("a second task over a cap of one").isFalse();
    }
}
