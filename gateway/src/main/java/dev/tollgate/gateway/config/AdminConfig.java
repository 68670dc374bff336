package dev.tollgate.gateway.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The operator-facing listener: health, readiness, metrics, explain and reload, never exposed with the routes.
 *
 * @param allowedHosts   Host header names accepted (port ignored), as on the traffic listeners; the probes
 *                       {@code /healthz} and {@code /readyz} are exempt
 * @param allowedOrigins Origin values accepted when the header is present, as on the traffic listeners
 * @param token          bearer token for {@code POST /explain} and {@code POST /reload}; null when not set
 */
public record AdminConfig(String host, int port, List<String> allowedHosts, List<String> allowedOrigins, String token) {

    public AdminConfig {
        allowedHosts = List.copyOf(allowedHosts);
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Loopback-only admin with the traffic listeners' Host/Origin defaults and no token (demo, tests). */
    public AdminConfig(String host, int port) {
        this(host, port, ListenerConfig.DEFAULT_ALLOWED_HOSTS, ListenerConfig.DEFAULT_ALLOWED_ORIGINS, null);
    }

    /**
     * True when the bind address is a loopback IP literal (127.0.0.0/8, ::1). Names are not resolved: a
     * name such as {@code localhost} could map elsewhere, and an open explain/reload must be a sure thing.
     */
    public boolean boundToLoopback() {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Netty parses literals only (null for anything else): no DNS lookup, even for "999.1.1.1".
        byte[] address = NetUtil.createByteArrayFromIpAddressString(h);
        try {
            return address != null && InetAddress.getByAddress(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The guard's view of this listener: HostOriginGuard reads the allow-lists from a ListenerConfig. */
    public ListenerConfig asGuardedListener() {
        return new ListenerConfig("admin", host, port, allowedHosts, allowedOrigins, null);
    }

    /** Never prints the token: configurations end up in logs. */
    @Override
    public String toString() {
        return "AdminConfig[host=" + host + ", port=" + port + ", allowedHosts=" + allowedHosts + ", allowedOrigins="
                + allowedOrigins + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
