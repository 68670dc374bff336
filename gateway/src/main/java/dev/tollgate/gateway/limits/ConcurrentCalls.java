package dev.tollgate.gateway.limits;

import dev.tollgate.gateway.config.ConcurrencyLimits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the calls in flight per route, per tenant on a route and per caller on a route, across every event loop of
 * the process. A caller's or tenant's counter exists only while it has a call in flight, so the table is bounded by the
 * calls in flight, not by how many callers were ever seen.
 *
 * <p>The caller is {@code CallerKey} (sub-user included); the tenant is {@code TenantKey} (its agents, sub-users and runs
 * together). Review AG: counted per caller only, one tenant's agent acting as four users held every slot of a route, and
 * every other tenant got 429. Now a tenant is held to {@code max-concurrent-calls-per-tenant}, and at the route's limit
 * a tenant within one caller's limit is still admitted while others hold more than one caller's limit each
 * ({@link TenantReserve}).
 */
public final class ConcurrentCalls {

    /** Whether a call may start, and how to give its slot back. */
    public sealed interface Admission permits Admitted, RouteFull, TenantFull, CallerFull {
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

    public record TenantFull(int limit) implements Admission {
    }

    public record CallerFull(int limit) implements Admission {
    }

    private final Map<String, AtomicInteger> byRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> byCaller = new ConcurrentHashMap<>();
    private final TenantCounts byTenant = new TenantCounts();

    /** A caller that is its own tenant (tests). */
    public Admission admit(String route, String caller, ConcurrencyLimits limits) {
        return admit(route, caller, caller, limits);
    }

    public Admission admit(String route, String caller, String tenant, ConcurrencyLimits limits) {
        // The route first: a tenant refused for lack of room on the route is told so, not that its own share is full.
        AtomicInteger routeCount = byRoute.computeIfAbsent(route, r -> new AtomicInteger());
        int taken = routeCount.incrementAndGet() - 1;
        if (taken >= limits.maxCalls() && !TenantReserve.admits(taken, limits.maxCalls(), byTenant.held(route, tenant),
                limits.maxPerCaller(), byTenant.borrowedByOthers(route, tenant, limits.maxPerCaller(), null))) {
            routeCount.decrementAndGet();
            return new RouteFull(limits.maxCalls());
        }
        if (!byTenant.tryAdd(route, tenant, limits.maxPerTenant())) {
            routeCount.decrementAndGet();
            return new TenantFull(limits.maxPerTenant());
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
            byTenant.remove(route, tenant);
            return new CallerFull(limits.maxPerCaller());
        }
        return new Admitted(() -> {
            routeCount.decrementAndGet();
            byTenant.remove(route, tenant);
            byCaller.computeIfPresent(key, (k, c) -> c.decrementAndGet() == 0 ? null : c);
        });
    }

    /**
     * Tasks running on each route and for each caller (review Y: a task-augmented {@code tools/call} held its slot only
     * until the task was created, so a caller limited to 1 ran five tools at once). A task takes over its creating call's
     * slot when that call ends; it does not block the caller's other exchanges (its own {@code tasks/get} must get through),
     * only the start of more work: see {@link #admitBesideTasks}. A pending 2026 ask-client approval is counted here the
     * same way ({@link #holdAskedApproval}).
     */
    private final Map<String, AtomicInteger> tasksByRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tasksByCaller = new ConcurrentHashMap<>();
    private final TenantCounts tasksByTenant = new TenantCounts();
    private final RunningTasks runningTasks = new RunningTasks();

    /** The tasks holding slots of these limits, by task. */
    public RunningTasks runningTasks() {
        return runningTasks;
    }

    /**
     * The 2026 ask-client approvals holding slots, by approval id (review AG: their calls were answered at once with the
     * question, and a caller kept forty pending while limited to four calls in flight). One exists only while its approval
     * is pending, so this is bounded by the limits it counts against.
     */
    private final Map<String, Admitted> askedApprovals = new ConcurrentHashMap<>();

    /**
     * Counts a pending 2026 ask-client approval of this caller as held work, beside its tasks, until the returned hold is
     * released (when the approval ends, however it ends): the call it holds has been answered with the question, yet it is
     * still the caller's call, as a held 2025 call whose request stays open is.
     */
    public Admitted holdAskedApproval(String route, String caller, String tenant, String approvalId) {
        Admitted work = holdTask(route, caller, tenant);
        Admitted hold = new Admitted(() -> {
            askedApprovals.remove(approvalId);
            work.release();
        });
        askedApprovals.put(approvalId, hold);
        return hold;
    }

    /**
     * Whether this approval still holds a slot here: its client's retry carries the held call on (it ends the approval,
     * giving the slot back), so it is not new work to count again.
     */
    public boolean holdsAskedApproval(String approvalId) {
        return askedApprovals.containsKey(approvalId);
    }

    /** Counts a task created by an admitted call of this caller until the returned hold is released. */
    public Admitted holdTask(String route, String caller) {
        return holdTask(route, caller, caller);
    }

    /** Counts a task created by an admitted call of this caller and tenant until the returned hold is released. */
    public Admitted holdTask(String route, String caller, String tenant) {
        String key = route + '\0' + caller;
        tasksByRoute.compute(route, (k, c) -> increment(c));
        tasksByCaller.compute(key, (k, c) -> increment(c));
        tasksByTenant.tryAdd(route, tenant, Integer.MAX_VALUE);
        return new Admitted(() -> {
            tasksByRoute.computeIfPresent(route, (k, c) -> c.decrementAndGet() == 0 ? null : c);
            tasksByCaller.computeIfPresent(key, (k, c) -> c.decrementAndGet() == 0 ? null : c);
            tasksByTenant.remove(route, tenant);
        });
    }

    private static AtomicInteger increment(AtomicInteger count) {
        AtomicInteger c = count == null ? new AtomicInteger() : count;
        c.incrementAndGet();
        return c;
    }

    /**
     * Whether a call that starts work ({@code tools/call}), already admitted as an exchange, still fits once the tasks
     * running are counted: the route's and the caller's calls in flight and tasks together stay within their limits.
     *
     * @return null when it fits, else the limit it runs into
     */
    public Admission admitBesideTasks(String route, String caller, ConcurrencyLimits limits) {
        return admitBesideTasks(route, caller, caller, limits);
    }

    /** As {@link #admitBesideTasks(String, String, ConcurrencyLimits)}, the tenant's calls and tasks held to its limit too. */
    public Admission admitBesideTasks(String route, String caller, String tenant, ConcurrencyLimits limits) {
        if (tasksByRoute.isEmpty()) {
            return null; // no task anywhere: the common case costs one read
        }
        AtomicInteger routeTasks = tasksByRoute.get(route);
        if (routeTasks == null) {
            return null;
        }
        // This call is already counted among the tenant's calls and the route's.
        int tenantHolds = byTenant.held(route, tenant) + tasksByTenant.held(route, tenant);
        int taken = inFlight(route) + routeTasks.get() - 1;
        if (taken >= limits.maxCalls() && !TenantReserve.admits(taken, limits.maxCalls(), tenantHolds - 1, limits.maxPerCaller(),
                byTenant.borrowedByOthers(route, tenant, limits.maxPerCaller(), tasksByTenant))) {
            return new RouteFull(limits.maxCalls());
        }
        if (tenantHolds > limits.maxPerTenant()) {
            return new TenantFull(limits.maxPerTenant());
        }
        String key = route + '\0' + caller;
        AtomicInteger callerTasks = tasksByCaller.get(key);
        AtomicInteger callerCalls = byCaller.get(key);
        int mine = (callerTasks == null ? 0 : callerTasks.get()) + (callerCalls == null ? 0 : callerCalls.get());
        return mine > limits.maxPerCaller() ? new CallerFull(limits.maxPerCaller()) : null;
    }

    /** Tasks counted on a route now (for metrics and tests). */
    public int tasksRunning(String route) {
        AtomicInteger count = tasksByRoute.get(route);
        return count == null ? 0 : count.get();
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

    /** How many tenants have a call in flight, every route together (the tenants' table's size). */
    public int tenantsInFlight() {
        return byTenant.size();
    }
}
