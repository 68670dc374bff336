package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.UpstreamTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Every route's upstream instances for the whole process: their state (see {@link UpstreamInstance}) is kept
 * across reloads for instances that stay, and forgotten with their metrics for those that go. Each instance is
 * visible as {@code tollgate_upstream_healthy{route,upstream}}, {@code tollgate_upstream_in_flight} and
 * {@code tollgate_upstream_ejections_total}.
 * <p>
 * Once the gateway has named its routes ({@link #retain}, at start and at every reload, before the snapshot is
 * swapped in), instances and meters are created there only: {@link #of} never creates them for a route object that
 * is not the serving one (review AY). A call of an older snapshot (its body arrived after a reload, say) is balanced
 * over the serving instances of its route name, so it never reaches an instance the reload removed, nor brings that
 * instance's meters back; a call whose route the reload removed altogether finishes on its own configuration's
 * instances, as objects no one else sees (no meters, no shared state). The balancing turn is kept per route name
 * across reloads that keep the route's instances.
 */
public final class Upstreams {

    private record Key(String route, String url) {
    }

    private final MeterRegistry meters;
    private final Map<Key, UpstreamInstance> instances = new ConcurrentHashMap<>();
    private final Map<Key, List<Meter>> metersByInstance = new ConcurrentHashMap<>();
    /** The serving set of each route name. */
    private final Map<String, UpstreamSet> byRoute = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    /** Whether {@link #retain} named the serving routes; until then (tools and tests that use this alone) {@link #of} resolves any route. */
    private volatile boolean serving;

    /** @param meters where the per-instance meters go; null for none */
    public Upstreams(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * The instances calls of this route go to: the route's own set when it is the serving route; for a route object
     * of an older snapshot, the serving set of the same name (or, if the route is gone, its own instances, detached).
     */
    public UpstreamSet of(Route route) {
        UpstreamSet set = byRoute.get(route.name());
        if (set != null && set.route() == route) {
            return set;
        }
        if (!serving) {
            return install(route);
        }
        if (set != null) {
            return set;
        }
        // A route the configuration no longer has: its call finishes on the instances it started with, unregistered.
        return new UpstreamSet(route, UpstreamSet.resolve(route,
                endpoint -> new UpstreamInstance(route.name(), UpstreamTarget.of(endpoint.url()), endpoint.url().toString())), null);
    }

    /** Before {@link #retain} was ever called: one set per route name, replaced for another route object (state kept). */
    private synchronized UpstreamSet install(Route route) {
        UpstreamSet set = byRoute.get(route.name());
        if (set != null && set.route() == route) {
            return set;
        }
        UpstreamSet fresh = new UpstreamSet(route, UpstreamSet.resolve(route, endpoint -> instance(route.name(), endpoint)), sharedTurn(set, route));
        byRoute.put(route.name(), fresh);
        return fresh;
    }

    /** The serving instances of a route name (empty when no route has it). */
    public List<UpstreamInstance> instancesOf(String route) {
        UpstreamSet set = byRoute.get(route);
        return set == null ? List.of() : set.instances();
    }

    /** The previous set's balancing turn when the route keeps the same instances in the same order, else null (a new turn). */
    private static AtomicLong sharedTurn(UpstreamSet previous, Route route) {
        if (previous == null) {
            return null;
        }
        List<String> was = previous.instances().stream().map(UpstreamInstance::url).toList();
        List<String> now = route.config().upstreams().endpoints().stream().map(e -> e.url().toString()).toList();
        return was.equals(now) ? previous.turn() : null;
    }

    private UpstreamInstance instance(String route, UpstreamsConfig.Endpoint endpoint) {
        Key key = new Key(route, endpoint.url().toString());
        return instances.computeIfAbsent(key, k -> {
            UpstreamInstance created = new UpstreamInstance(route, UpstreamTarget.of(endpoint.url()), k.url());
            register(k, created);
            return created;
        });
    }

    private void register(Key key, UpstreamInstance instance) {
        if (meters == null) {
            return;
        }
        List<Meter> registered = new ArrayList<>();
        registered.add(Gauge.builder("tollgate.upstream.healthy", instance, i -> i.healthy() ? 1 : 0)
                .description("1 while the instance takes new calls (health checks good, not ejected), else 0")
                .tags("route", key.route(), "upstream", key.url()).register(meters));
        registered.add(Gauge.builder("tollgate.upstream.in.flight", instance, UpstreamInstance::inFlight)
                .description("Calls in flight to the instance (counted on routes with several instances)").tags("route", key.route(), "upstream", key.url()).register(meters));
        registered.add(FunctionCounter.builder("tollgate.upstream.ejections", instance, UpstreamInstance::ejections)
                .description("Times the instance was ejected after failing calls in a row")
                .tags("route", key.route(), "upstream", key.url()).register(meters));
        metersByInstance.put(key, registered);
    }

    /** A call that was not sent and went on to another instance (or an idempotent call sent again). */
    public void retried(String route) {
        if (meters != null) {
            retries.computeIfAbsent(route, r -> Counter.builder("tollgate.upstream.retries")
                    .description("Calls tried again on another instance after their instance failed").tags("route", r).register(meters)).increment();
        }
    }

    /**
     * At start and after every reload, before the routes serve: these are the serving routes. Their sets are resolved
     * now (instances that stay keep their state, and their balancing turn when the route's instances are the same);
     * the instances (and their meters) of routes and URLs the configuration no longer has are forgotten.
     */
    public synchronized void retain(List<Route> routes) {
        Set<Key> kept = routes.stream().flatMap(r -> r.config().upstreams().endpoints().stream().map(e -> new Key(r.name(), e.url().toString())))
                .collect(Collectors.toSet());
        Set<String> names = routes.stream().map(Route::name).collect(Collectors.toSet());
        for (Route route : routes) {
            UpstreamSet previous = byRoute.get(route.name());
            UpstreamSet set = previous;
            if (previous == null || previous.route() != route) {
                set = new UpstreamSet(route, UpstreamSet.resolve(route, endpoint -> instance(route.name(), endpoint)), sharedTurn(previous, route));
                byRoute.put(route.name(), set);
            }
            if (route.config().upstreams().healthCheck() == null) {
                // A route without a check (any more, review AY): no probe verdict keeps its instances out. The health
                // checker forgets their streaks too when it stops watching the route.
                set.instances().forEach(UpstreamInstance::probedHealthyAgain);
            }
        }
        serving = true;
        byRoute.keySet().retainAll(names);
        for (Key key : List.copyOf(instances.keySet())) {
            if (!kept.contains(key)) {
                instances.remove(key);
                List<Meter> gone = metersByInstance.remove(key);
                if (gone != null && meters != null) {
                    gone.forEach(meters::remove);
                }
            }
        }
    }

    /**
     * Readiness: the routes that have a health check and not one instance it calls healthy, with how many they
     * have. An empty map means every checked route can serve. An instance counts once a probe of it has succeeded: a
     * replica is not ready before its checked routes' first probes answer, at start and after a reload adding a checked
     * route or instance (the first probe runs at once, so this delays readiness by one probe).
     */
    public Map<String, Integer> routesWithoutHealthyInstance(List<Route> routes) {
        Map<String, Integer> down = new LinkedHashMap<>();
        for (Route route : routes) {
            if (route.config().upstreams().healthCheck() != null
                    && of(route).instances().stream().noneMatch(UpstreamInstance::readyByProbes)) {
                down.put(route.name(), route.config().upstreams().endpoints().size());
            }
        }
        return down;
    }
}
