package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.config.RouteConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which routes share task and context bindings: those that reach one server. Bindings were kept per route name, so
 * a second route to the same server (say {@code /partners}, with a stricter policy) was a route on which nobody's tasks
 * were bound, and another tenant read a task by naming it there (review V). Routes whose upstream instances share an
 * origin (scheme, host, port; paths may differ, as one server can mount its API twice) are one group, joined
 * transitively, and the group's scope is named by the least origin of its routes' first instances: instances added after
 * the first (scaling a route out) leave the name as it was. No name computed from the instance lists survives every
 * reload (removing or reordering a route's first instance renames it), so bindings are also kept under the origin of
 * every instance of the group ({@link TaskScope#keys}): found as long as any instance stays. Two host names for one
 * server (an alias, an IP address) are not seen as one.
 */
final class TaskScopes {

    private TaskScopes() {
    }

    /** The scope of each route, by route name. */
    static Map<String, TaskScope> of(List<RouteConfig> routes) {
        Map<String, String> parent = new HashMap<>();
        Map<String, String> routeOfOrigin = new HashMap<>();
        Map<String, String> firstOrigins = new HashMap<>();
        Map<String, List<String>> originsOfRoute = new HashMap<>();
        for (RouteConfig route : routes) {
            parent.putIfAbsent(route.name(), route.name());
            if (route.upstreams() == null) {
                continue;
            }
            for (var endpoint : route.upstreams().endpoints()) {
                String origin = origin(endpoint.url());
                firstOrigins.putIfAbsent(route.name(), origin);
                originsOfRoute.computeIfAbsent(route.name(), r -> new ArrayList<>()).add(origin);
                String first = routeOfOrigin.putIfAbsent(origin, route.name());
                if (first != null) {
                    union(parent, first, route.name());
                }
            }
        }
        // The scope names the group by its least origin, not by its least route name (review W: a reload adding a route
        // whose name sorts first moved every binding of the group to a key nobody had written), and by the least of its
        // routes' first instances only (review AY: a reload scaling a route out with an instance whose origin sorted first
        // moved every binding of the route, owners and instances, to a key nobody had written: its tasks became anyone's).
        // A route with no upstream keeps its name.
        Map<String, String> leastOrigin = new HashMap<>();
        firstOrigins.forEach((route, origin) -> leastOrigin.merge(find(parent, route), origin, (a, b) -> a.compareTo(b) <= 0 ? a : b));
        Map<String, TreeSet<String>> groupOrigins = new HashMap<>();
        originsOfRoute.forEach((route, origins) -> groupOrigins.computeIfAbsent(find(parent, route), g -> new TreeSet<>()).addAll(origins));
        Map<String, List<String>> keysOfGroup = new HashMap<>();
        parent.keySet().forEach(name -> keysOfGroup.computeIfAbsent(find(parent, name), group -> {
            String origin = leastOrigin.get(group);
            if (origin == null) {
                return List.of(name);
            }
            List<String> keys = new ArrayList<>();
            keys.add("origin " + origin);
            groupOrigins.get(group).stream().filter(o -> !o.equals(origin)).forEach(o -> keys.add("origin " + o));
            return keys;
        }));
        Set<String> everyKey = new HashSet<>();
        keysOfGroup.values().forEach(everyKey::addAll);
        Map<String, TaskScope> scopes = new HashMap<>();
        parent.keySet().forEach(name -> {
            List<String> keys = keysOfGroup.get(find(parent, name));
            Set<String> foreign = new HashSet<>(everyKey);
            keys.forEach(foreign::remove);
            scopes.put(name, new TaskScope(keys.get(0), keys, foreign));
        });
        return scopes;
    }

    static String origin(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = canonicalHost(url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT));
        int port = url.getPort() != -1 ? url.getPort() : "https".equals(scheme) ? 443 : 80;
        return scheme + "://" + host + ":" + port;
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * One spelling per host (review W): a DNS name without its root dot, an IP literal as its address (IPv6 zero
     * compression and padding folded, an IPv4-mapped IPv6 address as the IPv4 one). Literals only: nothing is resolved.
     */
    private static String canonicalHost(String host) {
        if (host.startsWith("[") && host.endsWith("]") || IPV4.matcher(host).matches()) {
            try {
                String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
                return java.net.InetAddress.getByName(literal).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return host;
            }
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static String find(Map<String, String> parent, String name) {
        String root = name;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        return root;
    }

    /** Joins two groups under the lesser root name, so a group's root is always its least name. */
    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            if (ra.compareTo(rb) < 0) {
                parent.put(rb, ra);
            } else {
                parent.put(ra, rb);
            }
        }
    }
}
