package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.routing.TaskScope;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Review AG: a tenant's bindings never push out another's. Past its share, a tenant's new task or context is refused
 * (nothing bound, the caller refuses the call), every binding already made holds, and room comes back only as the
 * tenant's own bindings expire.
 */
class TaskOriginSharesTest {

    private static final TaskScope R = TaskScope.named("r");
    private static final String ACME = "axid:acme/bot";
    private static final String EVIL = "axid:evil/bot";

    @Test
    void aFullTenantIsRefusedNewContextsAndEveryoneKeepsTheirs() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1), 3);
        assertThat(origins.learnContext(R, "acme-1", ACME).result()).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(origins.learnContext(R, "evil-" + i, EVIL + "/user-" + i).result()).isTrue();
        }

        assertThat(origins.learnContext(R, "evil-3", EVIL).result()).as("past evil's share").isFalse();
        assertThat(origins.roomForContext(EVIL)).isFalse();
        assertThat(origins.contextBoundToAnother(R, "evil-3", ACME)).as("nothing was bound").isFalse();
        assertThat(origins.learnContext(R, "evil-0", EVIL + "/user-0").result()).as("its own, already bound").isTrue();
        assertThat(origins.contextBoundToAnother(R, "acme-1", EVIL)).isTrue();
        assertThat(origins.learnContext(R, "acme-2", ACME).result()).as("acme's share is its own").isTrue();
    }

    @Test
    void aFullTenantIsRefusedNewTasksAndTheAnswerThatWouldBindOneIsWithheld() {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(1), 1);
        assertThat(origins.learn(R, "t1", "echo", EVIL, null).result()).isTrue();

        assertThat(origins.roomForTask(EVIL)).isFalse();
        assertThat(origins.learn(R, "t2", "echo", EVIL, null).result()).isFalse();
        assertThat(TaskOrigins.required(origins.learn(R, "t2", "echo", EVIL, null)).failed()).isTrue();
        assertThat(origins.of(R, "t2")).isNull();
        assertThat(origins.learn(R, "t3", "echo", ACME, null).result()).isTrue();
        assertThat(origins.roomForTask(null)).as("anonymous callers have a share of their own").isTrue();
    }

    @Test
    void roomComesBackOnlyAsTheTenantsOwnBindingsExpire() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofMillis(300), 1);
        assertThat(origins.learnContext(R, "evil-1", EVIL).result()).isTrue();
        assertThat(origins.learn(R, "t1", "echo", EVIL, null).result()).isTrue();
        assertThat(origins.learnContext(R, "evil-2", EVIL).result()).isFalse();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(origins.roomForContext(EVIL) && origins.roomForTask(EVIL)) && System.nanoTime() < deadline) {
            Thread.sleep(50); // not read meanwhile: a read is a use, and keeps a binding another retention
        }
        assertThat(origins.roomForContext(EVIL)).as("the expired context gave its room back").isTrue();
        assertThat(origins.roomForTask(EVIL)).as("the expired task gave its room back").isTrue();
        assertThat(origins.learnContext(R, "evil-2", EVIL).result()).isTrue();
    }
}
