package dev.tollgate.gateway.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/** Reads a route's {@code upstream-tls:} block and checks it against the upstream URL and the listeners. */
final class UpstreamTlsReader {

    static final java.util.Set<String> FIELDS = java.util.Set.of("spiffe-id", "svid");

    private UpstreamTlsReader() {
    }

    static UpstreamTlsConfig read(NodeReader route, URI upstream, List<ListenerConfig> listeners) {
        if (!route.has("upstream-tls")) {
            return null;
        }
        NodeReader u = route.child("upstream-tls");
        if (!u.isObject()) {
            u.problem("must be a mapping with spiffe-id (and svid, the listener whose SVID to present)");
            return null;
        }
        u.rejectUnknown(FIELDS);
        String spiffeId = u.string("spiffe-id", null);
        if (spiffeId == null || !spiffeId.startsWith("spiffe://") || spiffeId.length() <= "spiffe://".length()) {
            u.problemAt("spiffe-id", "needs the upstream's SPIFFE ID, e.g. spiffe://example.org/ns/tools/sa/search");
        }
        // Anything but https would send the call in clear to a peer we meant to authenticate.
        if (upstream != null && !"https".equals(upstream.getScheme().toLowerCase(Locale.ROOT))) {
            route.problemAt("upstream", "must be an https URL when upstream-tls is set");
        }
        List<String> tlsListeners = listeners.stream().filter(l -> l.tls() != null).map(ListenerConfig::name).toList();
        String svid = u.string("svid", tlsListeners.size() == 1 ? tlsListeners.get(0) : null);
        if (svid == null) {
            u.problemAt("svid", tlsListeners.isEmpty() ? "needs an mTLS listener whose SVID the gateway presents; none has tls"
                    : "name the mTLS listener whose SVID to present, one of " + tlsListeners);
        } else if (!tlsListeners.contains(svid)) {
            u.problemAt("svid", "'" + svid + "' is not an mTLS listener; mTLS listeners: " + tlsListeners);
        }
        return new UpstreamTlsConfig(spiffeId, svid);
    }
}
