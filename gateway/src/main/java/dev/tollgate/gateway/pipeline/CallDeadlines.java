package dev.tollgate.gateway.pipeline;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The deadlines of the calls on one event loop (a request body that must arrive, an upstream that must answer),
 * checked by one periodic sweep instead of a Vert.x timer each. Setting and cancelling a Vert.x timer is a
 * hash-table update and a priority-queue insert or removal; two per call, each set and cancelled, were 3 % of a
 * plain gateway's CPU (JFR). Here arming is a link into a list and cancelling an unlink.
 *
 * <p>A deadline fires at most {@link #SWEEP_MILLIS} late. The sweep runs only while a deadline is armed, and walks
 * every armed one: calls in flight, not open streams (whose response deadline ends when the answer starts).
 *
 * <p>One instance per event-loop context, touched only on its thread: a cancel from another thread (which the
 * pipeline does not do) is carried to the loop rather than racing it.
 */
public final class CallDeadlines {

    /** How late a deadline may fire. */
    static final long SWEEP_MILLIS = 25;
    private static final String CONTEXT_KEY = CallDeadlines.class.getName();
    /**
     * The longest delay kept as it is (about 73 years): a longer one (a config's "3000000h") is held to it. In
     * nanoseconds a delay past ~292 years would wrap to a deadline already past, firing at once instead of never.
     */
    static final long MAX_DELAY_MILLIS = Long.MAX_VALUE / 4 / 1_000_000L;

    private final Vertx vertx;
    private final Context context;
    private final Thread loop;
    /** Sentinel of the circular list of armed deadlines. */
    private final Deadline armed = new Deadline(this, 0, null);
    private long sweepTimer = -1;

    private CallDeadlines(Context context) {
        this.vertx = context.owner();
        this.context = context;
        this.loop = Thread.currentThread();
    }

    /** The deadlines of the calling event loop's context (created on first use, on that loop). */
    public static CallDeadlines current() {
        Context context = Vertx.currentContext();
        // On the loop's own thread too: a blocking task started from a loop context sees that context as current.
        if (context == null || !context.isEventLoopContext() || !Context.isOnEventLoopThread()) {
            throw new IllegalStateException("call deadlines are kept per event loop: called off one");
        }
        CallDeadlines deadlines = context.get(CONTEXT_KEY);
        if (deadlines == null) {
            deadlines = new CallDeadlines(context);
            context.put(CONTEXT_KEY, deadlines);
        }
        return deadlines;
    }

    /** Runs {@code action} on this loop once {@code millis} have passed, unless cancelled before. */
    public Deadline after(long millis, Runnable action) {
        if (Thread.currentThread() != loop) {
            throw new IllegalStateException("call deadlines are armed on their own event loop only");
        }
        long delayMillis = Math.min(Math.max(0, millis), MAX_DELAY_MILLIS);
        Deadline deadline = new Deadline(this, System.nanoTime() + delayMillis * 1_000_000L, action);
        deadline.prev = armed.prev;
        deadline.next = armed;
        armed.prev.next = deadline;
        armed.prev = deadline;
        if (sweepTimer < 0) {
            sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
        }
        return deadline;
    }

    /** Runs the actions of the deadlines past due (package-private for tests: one sweep, now). */
    void sweep() {
        if (armed.next == armed) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
            return;
        }
        long now = System.nanoTime();
        List<Deadline> expired = null;
        for (Deadline d = armed.next; d != armed; d = d.next) {
            if (now - d.at >= 0) {
                if (expired == null) {
                    expired = new ArrayList<>(4);
                }
                expired.add(d);
            }
        }
        if (expired != null) {
            // Run after the walk: an action arms or cancels other deadlines (a timeout answers, the next one is set).
            for (Deadline d : expired) {
                if (d.unlink() && !d.cancelled) {
                    d.action.run();
                }
            }
        }
    }

    /** Whether the periodic sweep is running (tests: it stops once nothing is armed). */
    boolean sweeping() {
        return sweepTimer >= 0;
    }

    /** Deadlines armed now (tests). */
    int armed() {
        int n = 0;
        for (Deadline d = armed.next; d != armed; d = d.next) {
            n++;
        }
        return n;
    }

    /** One armed deadline. */
    public static final class Deadline {
        private final CallDeadlines owner;
        private final long at;
        private final Runnable action;
        private Deadline prev = this;
        private Deadline next = this;
        /** Set by a cancel from another thread, before its unlink reaches the loop: a sweep in between must not run it. */
        private volatile boolean cancelled;

        private Deadline(CallDeadlines owner, long at, Runnable action) {
            this.owner = owner;
            this.at = at;
            this.action = action;
        }

        /** Its action will not run (nothing happens if it already ran or was cancelled). */
        public void cancel() {
            if (Thread.currentThread() == owner.loop) {
                unlink();
            } else {
                cancelled = true;
                owner.context.runOnContext(v -> unlink());
            }
        }

        /** @return whether it was still armed */
        private boolean unlink() {
            if (next == this) {
                return false;
            }
            prev.next = next;
            next.prev = prev;
            prev = this;
            next = this;
            return true;
        }
    }
}
