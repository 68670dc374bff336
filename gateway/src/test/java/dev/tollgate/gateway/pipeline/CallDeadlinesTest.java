package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines swept on their event loop: each armed action runs once, after its delay and on that loop; a cancelled
 * one never runs, wherever it is cancelled from; and the sweep stops when nothing is armed. (The waits below are
 * bounds on "eventually", not measurements: a deadline fires at most one sweep late.)
 */
class CallDeadlinesTest {

    private Vertx vertx;
    private Context loop;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> T onLoop(java.util.function.Supplier<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.runOnContext(v -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void armedActionsRunOnceAfterTheirDelayOnTheLoopAndCancelledOnesNever() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        long armedAt = System.nanoTime();
        long[] firedAfterNanos = new long[1];
        CallDeadlines deadlines = onLoop(() -> {
            CallDeadlines d = CallDeadlines.current();
            d.after(40, () -> {
                firedAfterNanos[0] = System.nanoTime() - armedAt;
                ran.add("40ms");
                ranOn.complete(Thread.currentThread());
            });
            d.after(10, () -> ran.add("10ms"));
            d.after(20, () -> ran.add("cancelled")).cancel();
            d.after(60_000, () -> ran.add("a minute"));
            return d;
        });
        Thread loopThread = onLoop(Thread::currentThread);

        assertThat(ranOn.get(10, TimeUnit.SECONDS)).isSameAs(loopThread);
        assertThat(TimeUnit.NANOSECONDS.toMillis(firedAfterNanos[0])).isGreaterThanOrEqualTo(40);
        assertThat(ran).containsExactly("10ms", "40ms");
        assertThat(onLoop(deadlines::armed)).as("the minute's deadline is still armed").isEqualTo(1);
        assertThat(onLoop(() -> CallDeadlines.current())).as("one instance per event loop context").isSameAs(deadlines);
    }

    @Test
    void aCancelFromAnotherThreadIsCarriedToTheLoop() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CallDeadlines.Deadline deadline = onLoop(() -> CallDeadlines.current().after(150, () -> ran.add("ran")));
        CallDeadlines deadlines = onLoop(CallDeadlines::current);

        deadline.cancel(); // from the test's thread, not the loop's

        assertThat(onLoop(deadlines::armed)).isZero();
        Thread.sleep(150 + 3 * CallDeadlines.SWEEP_MILLIS);
        assertThat(ran).isEmpty();
    }

    @Test
    void aCancelFromAnotherThreadHoldsEvenWhenASweepRunsBeforeItReachesTheLoop() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        onLoop(() -> {
            CallDeadlines deadlines = CallDeadlines.current();
            CallDeadlines.Deadline due = deadlines.after(0, () -> ran.add("ran"));
            Thread other = new Thread(due::cancel);
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            deadlines.sweep(); // before the unlink the cancel sent to this loop, which is queued behind this task
            return null;
        });

        assertThat(ran).as("cancelled, then swept past due before the unlink arrived").isEmpty();
    }

    @Test
    void aDelayBeyondCenturiesIsHeldToTheLongestKeptNotWrappedIntoThePast() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        long threeMillionHours = java.time.Duration.ofHours(3_000_000).toMillis(); // a config's "3000000h"
        onLoop(() -> {
            CallDeadlines deadlines = CallDeadlines.current();
            deadlines.after(threeMillionHours, () -> ran.add("3000000h"));
            deadlines.after(Long.MAX_VALUE, () -> ran.add("max"));
            deadlines.sweep();
            return null;
        });
        Thread.sleep(3 * CallDeadlines.SWEEP_MILLIS);

        assertThat(ran).isEmpty();
        assertThat(onLoop(() -> CallDeadlines.current().armed())).as("both still armed").isEqualTo(2);
    }

    @Test
    void aBlockingTaskStartedFromTheLoopGetsNoInstance() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        loop.runOnContext(v -> vertx.executeBlocking(() -> {
            try {
                CallDeadlines.current();
                refused.complete(null);
            } catch (IllegalStateException e) {
                refused.complete(e);
            }
            return null;
        }));

        assertThat(refused.get(10, TimeUnit.SECONDS)).as("a worker thread must not link into the loop's list").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anActionMayArmTheNextDeadline() throws Exception {
        CompletableFuture<String> second = new CompletableFuture<>();
        onLoop(() -> {
            CallDeadlines d = CallDeadlines.current();
            return d.after(5, () -> d.after(5, () -> second.complete("second")));
        });

        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        CallDeadlines deadlines = onLoop(CallDeadlines::current);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onLoop(deadlines::sweeping) && System.nanoTime() < until) {
            Thread.sleep(CallDeadlines.SWEEP_MILLIS);
        }
        assertThat(onLoop(deadlines::sweeping)).as("nothing armed: the sweep stops").isFalse();
    }

    @Test
    void offAnEventLoopThereIsNoInstance() {
        assertThatThrownBy(CallDeadlines::current).isInstanceOf(IllegalStateException.class);
    }
}
