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
import java.util.stream.Collectors;

/**
 * Every route's upstream instances for the whole process: their state (see {@link UpstreamInstance}) is kept
 * across reloads for instances that stay, and forgotten with their metrics for those that go. Each instance is
 * visible as {@code tollgate_upstream_healthy{route,upstream}}, {@code tollgate_upstream_in_flight} and
 * {@code tollgate_upstream_ejections_total}.
 */
public final class Upstreams {

    private record Key(String route, String url) {
    }

    private final MeterRegistry meters;
    private final Map<Key, UpstreamInstance> instances = new ConcurrentHashMap<>();
    private final Map<Key, List<Meter>> metersByInstance = new ConcurrentHashMap<>();
    private final Map<String, UpstreamSet> byRoute = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    /** @param meters where the per-instance meters go; null for none */
    public Upstreams(MeterRegistry meters) {
        this.meters = meters;
    }

    /** The instances of this route, resolved once per route object (a reload's new route resolves again, keeping state). */
    public UpstreamSet of(Route route) {
        UpstreamSet set = byRoute.get(route.name());
        if (set != null && set.route() == route) {
            return set;
        }
        UpstreamSet fresh = new UpstreamSet(route, UpstreamSet.resolve(route, endpoint -> instance(route.name(), endpoint)));
        byRoute.put(route.name(), fresh);
        return fresh;
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

    /** After a reload: forgets the instances (and their meters) of routes and URLs the configuration no longer has. */
    public void retain(List<Route> routes) {
        Set<Key> kept = routes.stream().flatMap(r -> r.config().upstreams().endpoints().stream().map(e -> new Key(r.name(), e.url().toString())))
                .collect(Collectors.toSet());
        Set<String> names = routes.stream().map(Route::name).collect(Collectors.toSet());
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
     * have. An empty map means every checked route can serve.
     */
    public Map<String, Integer> routesWithoutHealthyInstance(List<Route> routes) {
        Map<String, Integer> down = new LinkedHashMap<>();
        for (Route route : routes) {
            if (route.config().upstreams().healthCheck() != null
                    && of(route).instances().stream().noneMatch(UpstreamInstance::probedHealthy)) {
                down.put(route.name(), route.config().upstreams().endpoints().size());
            }
        }
        return down;
    }
}
