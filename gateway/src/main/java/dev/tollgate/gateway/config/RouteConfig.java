package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A path prefix on the gateway mapped to one upstream endpoint.
 *
 * @param path            gateway path prefix, matched at segment boundaries ({@code /mcp} matches
 *                        {@code /mcp} and {@code /mcp/x}, not {@code /mcpx})
 * @param upstream        absolute http(s) URL of the first instance; the rest of the request path after {@code path} is
 *                        appended
 * @param connectTimeout  how long to wait for a TCP (and TLS) connection to the upstream
 * @param responseTimeout how long to wait for the upstream's response headers
 * @param maxConnections  size of the keep-alive connection pool to this upstream
 * @param policy          name of the policy document deciding this route's calls; null means none, and a
 *                        route without a policy denies every call (fail closed)
 * @param axid            whether callers must present a valid AXID on this route
 * @param allowedSpiffeIds SPIFFE ID globs ({@code *} one path segment, {@code **} any) of the workloads
 *                        allowed on this route; empty means any caller the listener accepted
 * @param upstreamTls     mTLS to the upstream with the gateway's SVID, checking the upstream's SPIFFE ID;
 *                        null for plain HTTP or ordinary HTTPS
 * @param a2a             settings of an {@code a2a} route (public URL, card security); defaults otherwise
 * @param concurrency     calls in flight at once on the route, in all and per caller
 * @param oauth           the gateway as this route's OAuth resource server; null when the route takes no bearer tokens
 * @param upstreams       every instance of the upstream, how calls are balanced over them and how their health is
 *                        judged; null means the one {@code upstream} URL
 * @param pinning         the reviewed manifest of the upstream's tool definitions; null when the route pins nothing
 * @param listsUnknownTools whether a tools/call to a tool no list through this process named waits for the gateway's own
 *                        tools list of the upstream ({@code list-unknown-tools}, on by default in YAML; the list goes
 *                        where the call will, with forwarding's failover and its upstream_unavailable/upstream_timeout)
 */
public record RouteConfig(String name, String path, Protocol protocol, URI upstream, Duration connectTimeout,
                          Duration responseTimeout, int maxConnections, String policy, AxidMode axid,
                          List<String> allowedSpiffeIds, UpstreamTlsConfig upstreamTls, A2aRouteConfig a2a,
                          ConcurrencyLimits concurrency, UpstreamsConfig upstreams, OAuthConfig oauth, PinningConfig pinning,
                          boolean listsUnknownTools) {

    public RouteConfig {
        upstreams = upstreams == null && upstream != null ? UpstreamsConfig.single(upstream) : upstreams;
        allowedSpiffeIds = allowedSpiffeIds == null ? List.of() : List.copyOf(allowedSpiffeIds);
        a2a = a2a == null ? A2aRouteConfig.DEFAULTS : a2a;
        concurrency = concurrency == null ? ConcurrencyLimits.defaultsFor(maxConnections) : concurrency;
    }

    public RouteConfig(String name, String path, Protocol protocol, URI upstream, Duration connectTimeout,
                       Duration responseTimeout, int maxConnections, String policy, AxidMode axid, List<String> allowedSpiffeIds,
                       UpstreamTlsConfig upstreamTls, A2aRouteConfig a2a, ConcurrencyLimits concurrency, UpstreamsConfig upstreams,
                       OAuthConfig oauth, PinningConfig pinning) {
        this(name, path, protocol, upstream, connectTimeout, responseTimeout, maxConnections, policy, axid, allowedSpiffeIds, upstreamTls,
                a2a, concurrency, upstreams, oauth, pinning, false);
    }

    /** A route without SPIFFE mTLS to its upstream and without A2A settings (A2A routes then use the defaults). */
    public RouteConfig(String name, String path, Protocol protocol, URI upstream, Duration connectTimeout,
                       Duration responseTimeout, int maxConnections, String policy, AxidMode axid, List<String> allowedSpiffeIds) {
        this(name, path, protocol, upstream, connectTimeout, responseTimeout, maxConnections, policy, axid, allowedSpiffeIds, null, null,
                null, null, null, null);
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
}
