package dev.tollgate.gateway.config;

import dev.tollgate.gateway.config.UpstreamsConfig.Endpoint;
import dev.tollgate.gateway.config.UpstreamsConfig.HealthCheck;
import dev.tollgate.gateway.config.UpstreamsConfig.OutlierEjection;
import dev.tollgate.gateway.config.UpstreamsConfig.Probe;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads where a route forwards: {@code upstream: URL} (one instance) or {@code upstreams: [{url, weight}]} with
 * {@code balance}, {@code health-check} and {@code outlier-ejection}.
 */
final class UpstreamsReader {

    static final Set<String> ROUTE_FIELDS = Set.of("upstream", "upstreams", "balance", "health-check", "outlier-ejection");
    static final Set<String> ENDPOINT_FIELDS = Set.of("url", "weight");
    static final Set<String> HEALTH_FIELDS = Set.of("interval", "timeout", "probe", "path", "unhealthy-after", "healthy-after");
    static final Set<String> EJECTION_FIELDS = Set.of("consecutive-failures", "base-time", "max-time");
    /** Above this a weight is a typo, and the round-robin schedule (one slot per unit of weight) stays small. */
    static final int MAX_WEIGHT = 100;

    private UpstreamsReader() {
    }

    /** @return null when the route names no valid upstream (the problem is recorded) */
    static UpstreamsConfig read(NodeReader r, Protocol protocol) {
        List<Endpoint> endpoints = endpoints(r);
        if (endpoints.isEmpty()) {
            return null;
        }
        UpstreamsConfig.Balance balance = r.choice("balance", UpstreamsConfig.Balance.class, UpstreamsConfig.Balance.LEAST_REQUESTS);
        return new UpstreamsConfig(endpoints, balance, healthCheck(r, protocol), ejection(r));
    }

    private static List<Endpoint> endpoints(NodeReader r) {
        if (r.has("upstream") && r.has("upstreams")) {
            r.problemAt("upstreams", "give either upstream (one URL) or upstreams (a list of {url, weight}), not both");
            return List.of();
        }
        if (!r.has("upstreams")) {
            URI single = url(r, "upstream", r.string("upstream", null));
            return single == null ? List.of() : List.of(new Endpoint(single, 1));
        }
        List<Endpoint> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<NodeReader> elements = r.elements("upstreams", true);
        if (elements.isEmpty()) {
            r.problemAt("upstreams", "needs at least one instance, e.g. [{url: http://127.0.0.1:3001/mcp}]");
        }
        for (NodeReader e : elements) {
            if (!e.isObject()) {
                e.problem("must be a mapping with url (and weight)");
                continue;
            }
            e.rejectUnknown(ENDPOINT_FIELDS);
            URI url = url(e, "url", e.string("url", null));
            int weight = e.positiveInt("weight", 1);
            if (weight > MAX_WEIGHT) {
                e.problemAt("weight", "must be at most " + MAX_WEIGHT);
            }
            if (url != null && !seen.add(url.toString())) {
                e.problemAt("url", "instance " + url + " is listed twice");
            } else if (url != null) {
                out.add(new Endpoint(url, Math.min(weight, MAX_WEIGHT)));
            }
        }
        // The instances are one server: a mix would leave some calls in clear text where upstream-tls is set.
        if (out.stream().map(ep -> ep.url().getScheme().toLowerCase(Locale.ROOT)).distinct().count() > 1) {
            r.problemAt("upstreams", "every instance must use the same scheme (all http or all https)");
        }
        return out;
    }

    static URI url(NodeReader r, String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                r.problemAt(field, "must be an absolute http or https URL such as http://127.0.0.1:3001/mcp, got '" + value + "'");
                return null;
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                r.problemAt(field, "must not carry a query, fragment or user info");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            r.problemAt(field, "is not a valid URL: " + e.getReason());
            return null;
        }
    }

    private static HealthCheck healthCheck(NodeReader r, Protocol protocol) {
        if (!r.has("health-check")) {
            return null;
        }
        NodeReader h = r.child("health-check");
        if (!h.isObject()) {
            h.problem("must be a mapping such as {interval: 5s, timeout: 2s}");
            return null;
        }
        h.rejectUnknown(HEALTH_FIELDS);
        Probe defaultProbe = protocol == Protocol.A2A ? Probe.HTTP : Probe.MCP_PING;
        Probe probe = h.choice("probe", Probe.class, defaultProbe);
        String path = h.has("path") ? h.string("path", null) : (probe == Probe.HTTP && protocol == Protocol.A2A ? "/.well-known/agent-card.json" : null);
        if (path != null && !path.startsWith("/")) {
            h.problemAt("path", "must start with /");
        }
        if (h.has("path") && probe != Probe.HTTP) {
            h.problemAt("path", "only applies to probe: http");
        }
        HealthCheck check = new HealthCheck(h.duration("interval", HealthCheck.DEFAULT_INTERVAL), h.duration("timeout", HealthCheck.DEFAULT_TIMEOUT),
                probe, path, h.positiveInt("unhealthy-after", 2), h.positiveInt("healthy-after", 1));
        if (check.timeout().compareTo(check.interval()) > 0) {
            h.problemAt("timeout", "must not be longer than the interval (" + check.interval() + ")");
        }
        return check;
    }

    private static OutlierEjection ejection(NodeReader r) {
        if (!r.has("outlier-ejection")) {
            return OutlierEjection.DEFAULT;
        }
        NodeReader o = r.child("outlier-ejection");
        if (!o.isObject()) {
            o.problem("must be a mapping such as {consecutive-failures: 5, base-time: 10s, max-time: 5m}");
            return OutlierEjection.DEFAULT;
        }
        o.rejectUnknown(EJECTION_FIELDS);
        OutlierEjection d = OutlierEjection.DEFAULT;
        OutlierEjection e = new OutlierEjection(o.positiveInt("consecutive-failures", d.consecutiveFailures()),
                o.duration("base-time", d.baseTime()), o.duration("max-time", d.maxTime()));
        if (e.maxTime().compareTo(e.baseTime()) < 0) {
            o.problemAt("max-time", "must not be shorter than base-time (" + e.baseTime() + ")");
        }
        return e;
    }
}
