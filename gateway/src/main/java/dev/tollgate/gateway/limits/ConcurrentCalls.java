package dev.tollgate.gateway.limits;

import dev.tollgate.gateway.config.ConcurrencyLimits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the calls in flight per route and per caller on a route, across every event loop of the process.
 * A caller's counter exists only while it has a call in flight, so the table is bounded by the calls in
 * flight, not by how many callers were ever seen.
 */
public final class ConcurrentCalls {

    /** Whether a call may start, and how to give its slot back. */
    public sealed interface Admission permits Admitted, RouteFull, CallerFull {
    }

    /** Admitted: {@link #release()} must run exactly once when the call ends (later calls are ignored). */
    public static final class Admitted implements Admission {
        private final AtomicBoolean released = new AtomicBoolean();
        private final Runnable release;

        private Admitted(Runnable release) {
            this.release = release;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                release.run();
            }
        }
    }

    public record RouteFull(int limit) implements Admission {
    }

    public record CallerFull(int limit) implements Admission {
    }

    private final Map<String, AtomicInteger> byRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> byCaller = new ConcurrentHashMap<>();

    public Admission admit(String route, String caller, ConcurrencyLimits limits) {
        AtomicInteger routeCount = byRoute.computeIfAbsent(route, r -> new AtomicInteger());
        if (routeCount.incrementAndGet() > limits.maxCalls()) {
            routeCount.decrementAndGet();
            return new RouteFull(limits.maxCalls());
        }
        String key = route + '\0' + caller;
        boolean[] over = {false};
        byCaller.compute(key, (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() >= limits.maxPerCaller()) {
                over[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (over[0]) {
            routeCount.decrementAndGet();
            return new CallerFull(limits.maxPerCaller());
        }
        return new Admitted(() -> {
            routeCount.decrementAndGet();
            byCaller.computeIfPresent(key, (k, c) -> c.decrementAndGet() == 0 ? null : c);
        });
    }

    /** Calls in flight on a route now (for metrics and tests). */
    public int inFlight(String route) {
        AtomicInteger count = byRoute.get(route);
        return count == null ? 0 : count.get();
    }

    /** Calls in flight on every route together (shutdown waits for them to end before the audit log closes). */
    public int total() {
        return byRoute.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** How many callers have a call in flight (the table's size). */
    public int callersInFlight() {
        return byCaller.size();
    }
}
