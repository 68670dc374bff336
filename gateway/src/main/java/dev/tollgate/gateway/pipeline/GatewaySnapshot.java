package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.LiveConfig;
import dev.tollgate.gateway.identity.AxidCache;
import dev.tollgate.gateway.identity.OAuthVerifier;
import dev.tollgate.gateway.pinning.RoutePins;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything compiled from one configuration load: routes, parser limits, and each route's compiled
 * policy. Immutable; a reload builds a new one and swaps it atomically, and a request keeps the snapshot
 * it started with until it ends.
 */
public final class GatewaySnapshot {

    private final GatewayConfig config;
    private final RouteTable routes;
    private final JsonRpcParser jsonRpc;
    private final PolicyBundle policies;
    private final Map<String, CompiledPolicy> policyByRoute;
    private final AxidCache axid;
    private final SealedSessions sessions;
    private final LiveConfig live;
    private final Map<String, OAuthVerifier> oauth;
    private final Map<String, RoutePins> pins;
    private final Map<String, java.util.List<String>> pinningNeighbours;
    private final Map<String, java.util.Set<String>> endpoints;
    private final dev.tollgate.gateway.telemetry.ArgumentRedactor redactor;
    private final java.util.Set<String> auditedClaims;

    private GatewaySnapshot(GatewayConfig config, PolicyBundle policies, AxidCache axid, Map<String, String> policyDigests,
                            Map<String, OAuthVerifier> oauth, Map<String, RoutePins> pins) {
        this.oauth = oauth;
        this.pins = Map.copyOf(pins);
        this.axid = axid;
        this.config = config;
        this.routes = new RouteTable(config.routes());
        this.endpoints = endpointsByRoute(routes);
        this.pinningNeighbours = pinningNeighbours(routes, this.pins);
        this.jsonRpc = new JsonRpcParser(new StrictJsonParser(config.limits().maxJsonDepth()));
        this.policies = policies;
        Map<String, CompiledPolicy> byRoute = new HashMap<>();
        config.routes().forEach(r -> {
            if (r.policy() != null) {
                policies.policy(r.policy()).ifPresent(p -> byRoute.put(r.name(), p));
            }
        });
        this.policyByRoute = Map.copyOf(byRoute);
        this.sessions = new SealedSessions(config.sessions());
        this.live = LiveConfig.of(config, policyDigests);
        this.redactor = new dev.tollgate.gateway.telemetry.ArgumentRedactor(config.telemetry().redactPaths());
        this.auditedClaims = dev.tollgate.gateway.audit.AuditedClaims.of(policies);
    }

    /** The caller's claims this configuration's audit records keep: those its policies read. */
    public java.util.Set<String> auditedClaims() {
        return auditedClaims;
    }

    /**
     * The argument redaction ({@code telemetry.redact}) of this configuration: what a call decided under it records in
     * spans and in its audit record, so a reload that adds a path redacts the next call.
     */
    public dev.tollgate.gateway.telemetry.ArgumentRedactor redactor() {
        return redactor;
    }

    /** Compiles a snapshot; policy references must already have been checked (see SnapshotLoader). */
    public static GatewaySnapshot compile(GatewayConfig config, PolicyBundle policies) {
        return new GatewaySnapshot(config, policies, null, Map.of(), Map.of(), Map.of());
    }

    /** With AXID verification (its keys already loaded; see SnapshotLoader). */
    public static GatewaySnapshot compile(GatewayConfig config, PolicyBundle policies, AxidCache axid) {
        return new GatewaySnapshot(config, policies, axid, Map.of(), Map.of(), Map.of());
    }

    /** @param policyDigests each policy file's name and digest (see {@link LiveConfig#digest}), for the configuration hash */
    public static GatewaySnapshot compile(GatewayConfig config, PolicyBundle policies, AxidCache axid, Map<String, String> policyDigests) {
        return new GatewaySnapshot(config, policies, axid, policyDigests, Map.of(), Map.of());
    }

    /** @param oauth the bearer-token verifier of each route with {@code oauth}, by route name (keys already loaded) */
    public static GatewaySnapshot compile(GatewayConfig config, PolicyBundle policies, AxidCache axid, Map<String, String> policyDigests,
                                          Map<String, OAuthVerifier> oauth) {
        return new GatewaySnapshot(config, policies, axid, policyDigests, oauth, Map.of());
    }

    /** @param pins the loaded pin manifest of each route with {@code pinning}, by route name */
    public static GatewaySnapshot compile(GatewayConfig config, PolicyBundle policies, AxidCache axid, Map<String, String> policyDigests,
                                          Map<String, OAuthVerifier> oauth, Map<String, RoutePins> pins) {
        return new GatewaySnapshot(config, policies, axid, policyDigests, oauth, pins);
    }

    /**
     * The other routes of the same protocol that reach one of the route's upstream endpoints (origin and path, see
     * {@link dev.tollgate.gateway.routing.ServerEndpoints}) and pin: a list answered through any route of a server is what
     * the model may have read, so it is held against each of their manifests. Kept per route name, a rug pull listed
     * through a route that pins nothing went unseen by the route that pins.
     */
    /** The upstream endpoints a route reaches (see {@link dev.tollgate.gateway.routing.ServerEndpoints}). */
    public java.util.Set<String> endpoints(String route) {
        return endpoints.getOrDefault(route, java.util.Set.of());
    }

    private static Map<String, java.util.Set<String>> endpointsByRoute(RouteTable routes) {
        Map<String, java.util.Set<String>> endpoints = new HashMap<>();
        routes.routes().forEach(r -> endpoints.put(r.name(), java.util.Set.copyOf(dev.tollgate.gateway.routing.ServerEndpoints.of(r.config()))));
        return Map.copyOf(endpoints);
    }

    public java.util.List<String> pinningNeighbours(String route) {
        return pinningNeighbours.getOrDefault(route, java.util.List.of());
    }

    private static Map<String, java.util.List<String>> pinningNeighbours(RouteTable routes, Map<String, RoutePins> pins) {
        Map<String, java.util.List<String>> neighbours = new HashMap<>();
        Map<String, java.util.Set<String>> endpoints = endpointsByRoute(routes);
        for (Route route : routes.routes()) {
            java.util.Set<String> mine = new java.util.HashSet<>();
            endpoints.get(route.name()).forEach(e -> mine.add(dev.tollgate.gateway.routing.ServerEndpoints.sameServer(e)));
            java.util.List<String> pinning = routes.routes().stream()
                    .filter(other -> other != route && pins.containsKey(other.name()) && other.config().protocol() == route.config().protocol()
                            && endpoints.get(other.name()).stream().map(dev.tollgate.gateway.routing.ServerEndpoints::sameServer)
                                    .anyMatch(mine::contains))
                    .map(Route::name).toList();
            if (!pinning.isEmpty()) {
                neighbours.put(route.name(), pinning);
            }
        }
        return Map.copyOf(neighbours);
    }

    /**
     * The routes of this configuration that pin and reach one of the given endpoints (as
     * {@link dev.tollgate.gateway.routing.ServerEndpoints#sameServer} spells them) with the given protocol, other than
     * {@code except}: the pinning neighbours, in this configuration, of a stream opened under an older one (review BC).
     */
    public java.util.List<String> pinningRoutesReaching(java.util.Set<String> reached, dev.tollgate.gateway.config.Protocol protocol, String except) {
        java.util.Set<String> servers = new java.util.HashSet<>();
        reached.forEach(e -> servers.add(dev.tollgate.gateway.routing.ServerEndpoints.sameServer(e)));
        return routes.routes().stream()
                .filter(r -> !r.name().equals(except) && pins.containsKey(r.name()) && r.config().protocol() == protocol
                        && endpoints(r.name()).stream().map(dev.tollgate.gateway.routing.ServerEndpoints::sameServer).anyMatch(servers::contains))
                .map(Route::name).toList();
    }

    /** Whether this configuration's route of that name reaches one of the given endpoints (compared as pinning does). */
    public boolean reachesAny(String route, java.util.Set<String> reached) {
        java.util.Set<String> servers = new java.util.HashSet<>();
        reached.forEach(e -> servers.add(dev.tollgate.gateway.routing.ServerEndpoints.sameServer(e)));
        return endpoints(route).stream().map(dev.tollgate.gateway.routing.ServerEndpoints::sameServer).anyMatch(servers::contains);
    }

    /** The pin manifest of a route with {@code pinning}; null for a route that pins nothing. */
    public RoutePins pins(String route) {
        return pins.get(route);
    }

    /** The pin manifest of every route with {@code pinning}, by route name. */
    public Map<String, RoutePins> pins() {
        return pins;
    }

    /** The bearer-token verifier of a route with {@code oauth}; null for a route without. */
    public OAuthVerifier oauth(String route) {
        return oauth.get(route);
    }

    /** Which configuration this is: its hash and its effective form, secrets redacted ({@code /admin/config}). */
    public LiveConfig live() {
        return live;
    }

    /** Verifies AXID tokens with this snapshot's keys; null when the configuration has no identity.axid. */
    public AxidCache axid() {
        return axid;
    }

    /** Seals and opens the MCP session ids handed to clients, with this snapshot's keys. */
    public SealedSessions sessions() {
        return sessions;
    }

    public GatewayConfig config() {
        return config;
    }

    public RouteTable routes() {
        return routes;
    }

    public JsonRpcParser jsonRpc() {
        return jsonRpc;
    }

    public PolicyBundle policies() {
        return policies;
    }

    /** The route's compiled policy, or null when it has none: callers must then deny (fail closed). */
    public CompiledPolicy policyFor(Route route) {
        return policyByRoute.get(route.name());
    }

    /** The detectors of the named route's policy (none when it has none): what names logged for it are read with. */
    public java.util.List<dev.tollgate.policy.detect.Detector> nameDetectors(String route) {
        CompiledPolicy policy = policyByRoute.get(route);
        return policy == null ? java.util.List.of() : policy.detectors();
    }
}
