package dev.tollgate.gateway.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each tenant holds on each route (calls in flight, or running tasks). A tenant's entry exists only while it holds
 * something, so the table is bounded by what is held, not by how many tenants were ever seen.
 */
final class TenantCounts {

    private final Map<String, Map<String, Integer>> byRoute = new ConcurrentHashMap<>();

    int held(String route, String tenant) {
        Map<String, Integer> tenants = byRoute.get(route);
        Integer count = tenants == null ? null : tenants.get(tenant);
        return count == null ? 0 : count;
    }

    /** Adds one unless the tenant already holds {@code max}; true when added (atomic per tenant). */
    boolean tryAdd(String route, String tenant, int max) {
        boolean[] added = {false};
        // Routes come from the configuration: their maps are kept, only tenants' entries come and go.
        byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>()).compute(tenant, (t, count) -> {
            int mine = count == null ? 0 : count;
            if (mine >= max) {
                return count;
            }
            added[0] = true;
            return mine + 1;
        });
        return added[0];
    }

    void remove(String route, String tenant) {
        Map<String, Integer> tenants = byRoute.get(route);
        if (tenants != null) {
            tenants.computeIfPresent(tenant, (t, count) -> count == 1 ? null : count - 1);
        }
    }

    /**
     * What tenants other than {@code tenant} hold on the route beyond {@code unit} each, summed, with {@code also} counted
     * as theirs too. Walks the route's tenants: only when the route is at its limit, and they are at most its calls.
     */
    long borrowedByOthers(String route, String tenant, int unit, TenantCounts also) {
        Map<String, Integer> tenants = byRoute.get(route);
        Map<String, Integer> more = also == null ? null : also.byRoute.get(route);
        long borrowed = 0;
        if (tenants != null) {
            for (Map.Entry<String, Integer> e : tenants.entrySet()) {
                if (!e.getKey().equals(tenant)) {
                    Integer extra = more == null ? null : more.get(e.getKey());
                    borrowed += TenantReserve.borrowed(e.getValue() + (extra == null ? 0 : extra), unit);
                }
            }
        }
        if (more != null) {
            for (Map.Entry<String, Integer> e : more.entrySet()) {
                if (!e.getKey().equals(tenant) && (tenants == null || !tenants.containsKey(e.getKey()))) {
                    borrowed += TenantReserve.borrowed(e.getValue(), unit);
                }
            }
        }
        return borrowed;
    }

    /** Tenants holding something on any route (tests). */
    int size() {
        return byRoute.values().stream().mapToInt(Map::size).sum();
    }
}
