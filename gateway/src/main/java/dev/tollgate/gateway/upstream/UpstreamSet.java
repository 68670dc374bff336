package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A route's instances and the choice of one for each call. A pick never returns an instance the call already
 * tried; it prefers available instances (probed healthy, not ejected) and, when none is, still tries the others
 * rather than fail a call an instance might serve (as Envoy's panic mode does: a health check that is wrong
 * everywhere must not take the whole route down).
 */
public final class UpstreamSet {

    private final Route route;
    private final List<UpstreamInstance> instances;
    private final int[] weights;
    private final UpstreamsConfig.Balance balance;
    private final UpstreamsConfig.OutlierEjection ejection;
    /** Round-robin: the instance index for each turn, every instance as many turns as its weight, interleaved. */
    private final int[] schedule;
    /** Shared with the set of the route's next configuration when that keeps the same instances (a reload must not restart it). */
    private final AtomicLong turn;

    /** @param turn the balancing turn to go on from (the previous set of this route name), or null to start one */
    UpstreamSet(Route route, List<UpstreamInstance> instances, AtomicLong turn) {
        this.route = route;
        this.turn = turn != null ? turn : new AtomicLong();
        this.instances = List.copyOf(instances);
        UpstreamsConfig config = route.config().upstreams();
        this.weights = config.endpoints().stream().mapToInt(UpstreamsConfig.Endpoint::weight).toArray();
        this.balance = config.balance();
        this.ejection = config.ejection();
        this.schedule = interleaved(weights);
    }

    /** The route these instances were resolved for (a reload resolves the new route's set again). */
    Route route() {
        return route;
    }

    AtomicLong turn() {
        return turn;
    }

    public List<UpstreamInstance> instances() {
        return instances;
    }

    /** The instance of this route with the given configured URL, or null when the route has no such instance. */
    public UpstreamInstance byUrl(String url) {
        for (UpstreamInstance instance : instances) {
            if (instance.url().equals(url)) {
                return instance;
            }
        }
        return null;
    }

    /** @param tried instances this call already tried (null or empty for its first attempt); null when none is left */
    public UpstreamInstance pick(List<UpstreamInstance> tried) {
        if (instances.size() == 1) {
            UpstreamInstance only = instances.get(0);
            return tried != null && tried.contains(only) ? null : only;
        }
        long now = System.nanoTime();
        UpstreamInstance chosen = choose(tried, now, true);
        return chosen != null ? chosen : choose(tried, now, false);
    }

    private UpstreamInstance choose(List<UpstreamInstance> tried, long now, boolean availableOnly) {
        return balance == UpstreamsConfig.Balance.ROUND_ROBIN ? nextInTurn(tried, now, availableOnly) : leastRequests(tried, now, availableOnly);
    }

    private UpstreamInstance nextInTurn(List<UpstreamInstance> tried, long now, boolean availableOnly) {
        long start = turn.getAndIncrement();
        for (int i = 0; i < schedule.length; i++) {
            UpstreamInstance candidate = instances.get(schedule[(int) Math.floorMod(start + i, (long) schedule.length)]);
            if (eligible(candidate, tried, now, availableOnly)) {
                return candidate;
            }
        }
        return null;
    }

    /** Fewest calls in flight per unit of weight; the scan starts at a rotating index so ties spread. */
    private UpstreamInstance leastRequests(List<UpstreamInstance> tried, long now, boolean availableOnly) {
        int n = instances.size();
        int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n);
        UpstreamInstance best = null;
        double bestLoad = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            int index = (start + i) % n;
            UpstreamInstance candidate = instances.get(index);
            if (!eligible(candidate, tried, now, availableOnly)) {
                continue;
            }
            double load = (candidate.inFlight() + 1.0) / weights[index];
            if (load < bestLoad) {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    private static boolean eligible(UpstreamInstance candidate, List<UpstreamInstance> tried, long now, boolean availableOnly) {
        return (tried == null || !tried.contains(candidate)) && (!availableOnly || candidate.available(now));
    }

    /** A call's attempt no longer occupies the instance. */
    public void ended(UpstreamInstance instance) {
        if (instances.size() > 1) {
            instance.callEnded();
        }
    }

    /** How the instance did on a call: passive ejection counts failures in a row (only with several instances to go to). */
    public void answered(UpstreamInstance instance, boolean failed) {
        if (failed) {
            if (instances.size() > 1) {
                instance.failed(ejection, System.nanoTime());
            }
        } else {
            instance.succeeded();
        }
    }

    /**
     * A call's attempt occupies the instance. Counted only where balancing reads it (several instances): one shared
     * counter written by every event loop on every call costs a contended cache line for nothing on a one-instance route.
     */
    public void started(UpstreamInstance instance) {
        if (instances.size() > 1) {
            instance.callStarted();
        }
    }

    /** Smooth weighted round-robin order: weights 3,1 give 0,0,1,0 rather than 0,0,0,1. */
    static int[] interleaved(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] order = new int[total];
        int[] current = new int[weights.length];
        for (int slot = 0; slot < total; slot++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[slot] = best;
        }
        return order;
    }

    static List<UpstreamInstance> resolve(Route route, java.util.function.Function<UpstreamsConfig.Endpoint, UpstreamInstance> instanceOf) {
        List<UpstreamInstance> out = new ArrayList<>();
        route.config().upstreams().endpoints().forEach(e -> out.add(instanceOf.apply(e)));
        return out;
    }
}
