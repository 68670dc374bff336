package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.UpstreamsConfig.OutlierEjection;
import dev.tollgate.gateway.routing.UpstreamTarget;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a route's upstream and what the gateway knows of it right now: calls in flight, failures in a
 * row, whether passive ejection has taken it out and until when, and what the last health probes said. Shared by
 * every event loop (atomics and volatiles, no locks); survives reloads that keep the instance in the route.
 */
public final class UpstreamInstance {

    private final String route;
    private final UpstreamTarget target;
    private final String url;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final AtomicInteger ejectionsInARow = new AtomicInteger();
    private final AtomicInteger ejections = new AtomicInteger();
    private volatile boolean ejected;
    private volatile long ejectedUntilNanos;
    private volatile boolean probedHealthy = true;
    /**
     * A probe of the check judging the instance has succeeded at least once. Readiness counts a checked instance only
     * then (review BP: a never-probed instance counted as healthy, so a replica whose every upstream refused was ready
     * until the unhealthy-after'th probe, a whole interval or more). Balancing does not wait for it.
     */
    private volatile boolean answeredProbe;
    /**
     * Out by the probes of the check serving now: its own last {@code unhealthy-after} probes failed. A verdict a replaced
     * check left stands for balancing until the new probes overturn it, but ends no session (review BL).
     */
    private volatile boolean downByServingCheck;
    /** Good probes in a row when positive, failed probes in a row when negative; touched by the health checker alone. */
    private int probeStreak;

    UpstreamInstance(String route, UpstreamTarget target, String url) {
        this.route = route;
        this.target = target;
        this.url = url;
    }

    public String route() {
        return route;
    }

    public UpstreamTarget target() {
        return target;
    }

    /** The instance's URL as configured: how sessions, metrics and logs name it. */
    public String url() {
        return url;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Whether new calls may go here: the last probes were good and no ejection is running. */
    public boolean available(long nowNanos) {
        return probedHealthy && !ejectedAt(nowNanos);
    }

    /** What health checks and ejection say, for readiness and the metric. */
    public boolean healthy() {
        return available(System.nanoTime());
    }

    /** What the health checks alone say (an ejection is a passing state and does not make a replica unready). */
    public boolean probedHealthy() {
        return probedHealthy;
    }

    /**
     * Whether the instance counts for readiness on a checked route: its probes say healthy and at least one has succeeded
     * (a never-probed instance is not known to answer).
     */
    public boolean readyByProbes() {
        return probedHealthy && answeredProbe;
    }

    /** Out by the route's health check, on the verdict of the check serving now (not one a reload replaced). */
    public boolean takenOutByServingCheck() {
        return !probedHealthy && downByServingCheck;
    }

    private boolean ejectedAt(long nowNanos) {
        return ejected && nowNanos - ejectedUntilNanos < 0;
    }

    public int ejections() {
        return ejections.get();
    }

    void callStarted() {
        inFlight.incrementAndGet();
    }

    void callEnded() {
        inFlight.decrementAndGet();
    }

    /** The instance answered: the failure streak and the ejection back-off start again. */
    void succeeded() {
        if (failuresInARow.get() != 0) {
            failuresInARow.set(0);
        }
        if (ejectionsInARow.get() != 0) {
            ejectionsInARow.set(0);
        }
    }

    /**
     * A call failed on the instance. The failure that completes a streak ejects it for {@code baseTime} doubled for
     * each ejection in a row before it, up to {@code maxTime}.
     *
     * @return true when this failure ejected the instance
     */
    boolean failed(OutlierEjection policy, long nowNanos) {
        if (failuresInARow.incrementAndGet() < policy.consecutiveFailures() || ejectedAt(nowNanos)) {
            return false;
        }
        failuresInARow.set(0);
        int previous = Math.min(ejectionsInARow.getAndIncrement(), 20);
        long base = Math.max(policy.baseTime().toNanos(), 0);
        long max = Math.max(policy.maxTime().toNanos(), 0);
        // Doubled only while below max-time: base << previous would overflow for a base-time of hours (review AY).
        long length = base > (max >> previous) ? max : base << previous;
        ejectedUntilNanos = nowNanos + length;
        ejected = true;
        ejections.incrementAndGet();
        return true;
    }

    /**
     * One probe's verdict, from the health checker's context only.
     *
     * @return true when the instance's probed health changed
     */
    boolean probed(boolean good, int healthyAfter, int unhealthyAfter) {
        probeStreak = good ? Math.max(probeStreak, 0) + 1 : Math.min(probeStreak, 0) - 1;
        if (good && !answeredProbe) {
            answeredProbe = true;
        }
        downByServingCheck = probeStreak <= -unhealthyAfter;
        if (probedHealthy && probeStreak <= -unhealthyAfter) {
            probedHealthy = false;
            return true;
        }
        if (!probedHealthy && probeStreak >= healthyAfter) {
            probedHealthy = true;
            // A good probe ends an ejection too: the instance is back, no reason to wait out the back-off.
            ejected = false;
            return true;
        }
        return false;
    }

    /** No health check judges the instance (any more): from any thread, unlike the streak. */
    void probedHealthyAgain() {
        downByServingCheck = false;
        answeredProbe = false; // a check added again later waits for its own first good probe
        if (!probedHealthy) {
            probedHealthy = true;
        }
    }

    /** The route's health check was removed: no probe will judge the instance again, so none keeps it out. */
    void probesForgotten() {
        probeStreak = 0;
        downByServingCheck = false;
        answeredProbe = false;
        probedHealthy = true;
    }

    /** The route's health check changed: the new check's probes count from zero; the last verdict stands until they overturn it. */
    void probeStreakForgotten() {
        probeStreak = 0;
        downByServingCheck = false;
    }

    @Override
    public String toString() {
        return url;
    }
}
