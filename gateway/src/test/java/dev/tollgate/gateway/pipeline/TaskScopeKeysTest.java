package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.routing.TaskScope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Review BB: a reload removing or reordering a route's first instance renames its task scope. Bindings are kept under
 * every key of the scope (each instance's origin), so the route's tasks and contexts stay their owners' while any
 * instance stays; and a binding's tenant share is taken once however many keys hold it.
 */
class TaskScopeKeysTest {

    private static final String ACME = "axid:acme/bot";
    private static final String EVIL = "axid:evil/bot";
    private static final TaskScope A_AND_B = new TaskScope("origin a", List.of("origin a", "origin b"));
    private static final TaskScope B_ONLY = TaskScope.named("origin b");
    private static final TaskScope B_THEN_A = new TaskScope("origin b", List.of("origin b", "origin a"));
    private static final TaskScope A_ONLY = TaskScope.named("origin a");
    private static final TaskScope C_ONLY = TaskScope.named("origin c");

    @Test
    void aTaskStaysItsOwnersWhenTheFirstInstanceIsRemovedOrReordered() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learn(A_AND_B, "t1", "search", ACME, "http://a/mcp").result()).isTrue();

        assertThat(origins.of(B_ONLY, "t1")).as("scaled in to b").isNotNull();
        assertThat(origins.boundToAnother(B_ONLY, "t1", EVIL)).isTrue();
        assertThat(origins.boundToAnother(B_THEN_A, "t1", EVIL)).as("reordered").isTrue();
        assertThat(origins.of(B_ONLY, "t1").instance()).isEqualTo("http://a/mcp");
        assertThat(origins.of(C_ONLY, "t1")).as("another server's scope shares nothing").isNull();
    }

    @Test
    void aContextStaysItsOwnersWhenTheFirstInstanceIsRemoved() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learnContext(A_AND_B, "ctx", ACME).result()).isTrue();

        assertThat(origins.contextBoundToAnother(B_ONLY, "ctx", EVIL)).isTrue();
        assertThat(origins.contextBoundToAnother(B_ONLY, "ctx", ACME)).isFalse();
    }

    /** Scaled out then in ([a] to [a, b] to [b]): a task named while the route had both is found under b alone. */
    @Test
    void aBindingReadUnderAScopeThatGainedAKeyIsCopiedThere() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learn(A_ONLY, "t1", "search", ACME, null).result()).isTrue();
        assertThat(origins.learnContext(A_ONLY, "ctx", ACME).result()).isTrue();
        assertThat(origins.of(B_ONLY, "t1")).as("b never held it").isNull();

        assertThat(origins.boundToAnother(A_AND_B, "t1", EVIL)).isTrue();
        assertThat(origins.contextBoundToAnother(A_AND_B, "ctx", EVIL)).isTrue();

        assertThat(origins.boundToAnother(B_ONLY, "t1", EVIL)).as("copied under b when read with both").isTrue();
        assertThat(origins.contextBoundToAnother(B_ONLY, "ctx", EVIL)).isTrue();
    }

    @Test
    void theFirstBindingWinsUnderEveryKey() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1));
        assertThat(origins.learn(B_ONLY, "t1", "search", ACME, null).result()).isTrue();

        assertThat(origins.learn(A_AND_B, "t1", "search", EVIL, null).result()).as("already bound: kept").isTrue();
        assertThat(origins.boundToAnother(A_ONLY, "t1", EVIL)).as("evil's answer did not take it under a").isTrue();
        assertThat(origins.boundToAnother(A_AND_B, "t1", EVIL)).isTrue();
    }

    @Test
    void aBindingUnderSeveralKeysTakesOneShareAndGivesItBackOnce() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofMillis(300), 2);
        assertThat(origins.learn(A_ONLY, "kept", "search", EVIL, null).result()).isTrue();
        assertThat(origins.learn(A_AND_B, "t1", "search", EVIL, null).result()).isTrue();
        assertThat(origins.roomForTask(EVIL)).as("two bindings, one of them under two keys: two shares").isFalse();

        // "kept" is read (a use) throughout; t1 is not, and both its copies expire.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!origins.roomForTask(EVIL) && System.nanoTime() < deadline) {
            assertThat(origins.of(A_ONLY, "kept")).isNotNull();
            Thread.sleep(50);
        }
        assertThat(origins.roomForTask(EVIL)).as("t1 expired").isTrue();
        for (int i = 0; i < 12; i++) { // t1's other copy expires meanwhile: it must not give the share back again
            assertThat(origins.of(A_ONLY, "kept")).isNotNull();
            Thread.sleep(50);
        }
        assertThat(origins.learn(A_ONLY, "t2", "search", EVIL, null).result()).isTrue();
        assertThat(origins.learn(A_ONLY, "t3", "search", EVIL, null).result()).as("kept and t2 fill the share").isFalse();
    }
}
