package dev.tollgate.gateway.reload;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.ConfigProblem;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.LiveConfig;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.policy.check.CheckBinding;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tollgate.gateway.identity.AxidCache;
import dev.tollgate.gateway.identity.AxidVerifier;
import dev.tollgate.gateway.identity.RemoteJwks;
import dev.tollgate.gateway.identity.OAuthKeys;
import dev.tollgate.gateway.identity.OAuthVerifier;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.config.AxidConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.io.IOException;
import java.nio.file.Path;
import dev.tollgate.gateway.pinning.PinManifest;
import dev.tollgate.gateway.pinning.PinnedDefinitions;
import dev.tollgate.gateway.pinning.RoutePins;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a complete snapshot from files: the gateway config, the policy documents it points at, and the
 * check that every route's policy exists. Reads files, so it runs at startup, in {@code verify}, and on the
 * reload thread, never on an event loop.
 */
public final class SnapshotLoader implements AutoCloseable {

    private final CheckRegistry checks;
    /**
     * One key source per JWKS URL and settings (refresh, refetch spacing, staleness bound), kept across reloads that
     * keep them (each owns a refresh timer); a reload that changes a setting gets a source that applies it.
     */
    private final Map<AxidConfig.RemoteKeys, RemoteJwks> remoteKeys = new ConcurrentHashMap<>();

    /** One OAuth key source per authorization server (issuer and JWKS URL), kept across reloads. */
    private final Map<String, OAuthKeys> oauthKeys = new ConcurrentHashMap<>();

    /** The JWKS URL and settings of the last configuration compiled successfully (still serving, or about to); null for none. */
    private volatile AxidConfig.RemoteKeys inUse;

    public SnapshotLoader(CheckRegistry checks) {
        this.checks = checks;
    }

    private AxidCache remoteAxid(GatewayConfig config, List<ConfigProblem> problems) {
        AxidConfig.RemoteKeys remote = config.axid().remoteKeys();
        // A closed source (its gateway closed) is replaced rather than reused: it no longer refreshes.
        RemoteJwks source = remoteKeys.compute(remote, (settings, existing) -> existing != null && !existing.isClosed() ? existing
                : new RemoteJwks(settings.url(), settings.refresh(), settings.minRefetch(), settings.maxStale(), Clock.systemUTC()));
        if (source.keys().byKid().isEmpty() && !source.fetchNow()) {
            problems.add(new ConfigProblem(config.source(), 0, "identity.axid.jwks-url", "cannot fetch AXID keys from " + remote.url()));
            return null;
        }
        return new AxidCache(new AxidVerifier(config.axid(), source::keys), Clock.systemUTC(), source);
    }

    private static AxidConfig.RemoteKeys remoteKeySettings(GatewayConfig config) {
        return config.axid() == null ? null : config.axid().remoteKeys();
    }

    /**
     * Stops the refresh timers of JWKS URLs that the serving configuration no longer uses: after a reload
     * drops or changes the URL, or after a rejected reload that named a new one. The snapshot being
     * replaced keeps its keys for the requests still running on it; only the refreshing stops.
     */
    private void retireRemoteKeysExcept(AxidConfig.RemoteKeys keep) {
        remoteKeys.entrySet().removeIf(e -> {
            if (e.getKey().equals(keep)) {
                return false;
            }
            e.getValue().close();
            return true;
        });
    }

    /** Stops every JWKS refresh timer this loader started. */
    @Override
    public void close() {
        remoteKeys.values().forEach(RemoteJwks::close);
        remoteKeys.clear();
        oauthKeys.values().forEach(OAuthKeys::close);
        oauthKeys.clear();
    }

    /**
     * A verifier per route with {@code oauth}: the authorization server's keys are discovered and fetched here, on the
     * loading thread. A server that cannot be reached fails the load (the route could verify nothing).
     */
    private Map<String, OAuthVerifier> oauth(GatewayConfig config, List<ConfigProblem> problems) {
        Map<String, OAuthVerifier> out = new java.util.HashMap<>();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig route = config.routes().get(i);
            OAuthConfig oauth = route.oauth();
            if (oauth == null) {
                continue;
            }
            if (oauth.introspection() != null) {
                // The authorization server checks each token: no keys to load.
                out.put(route.name(), new OAuthVerifier(oauth, null, Clock.systemUTC()));
                continue;
            }
            String key = oauthKey(oauth);
            try {
                OAuthKeys keys = oauthKeys.get(key);
                if (keys == null) {
                    keys = OAuthKeys.load(oauth.issuer(), oauth.jwksUrl(), oauth.jwksMaxStale(), Clock.systemUTC());
                    oauthKeys.put(key, keys);
                }
                out.put(route.name(), new OAuthVerifier(oauth, keys, Clock.systemUTC()));
            } catch (IOException e) {
                problems.add(new ConfigProblem(config.source(), 0, "routes[" + i + "].oauth.issuer", e.getMessage()));
            }
        }
        return Map.copyOf(out);
    }

    private static String oauthKey(OAuthConfig oauth) {
        return oauth.issuer() + " " + oauth.jwksUrl() + " " + oauth.jwksMaxStale();
    }

    private void retireOAuthKeysExcept(GatewayConfig config) {
        java.util.Set<String> used = config.routes().stream().filter(r -> r.oauth() != null && r.oauth().introspection() == null).map(r -> oauthKey(r.oauth()))
                .collect(Collectors.toSet());
        oauthKeys.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
    }

    public GatewaySnapshot load(Path configFile) throws ConfigException {
        return compile(ConfigLoader.load(configFile));
    }

    public GatewaySnapshot compile(GatewayConfig config) throws ConfigException {
        PolicyBundle policies = loadPolicies(config.policyDirectory(), config.customChecks());
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig route = config.routes().get(i);
            if (route.policy() != null && policies.policy(route.policy()).isEmpty()) {
                problems.add(new ConfigProblem(config.source(), 0, "routes[" + i + "].policy",
                        "no policy named '" + route.policy() + "' in " + describe(config.policyDirectory(), policies)));
            }
        }
        AxidCache axid = config.axid() == null ? null : axid(config, problems);
        Map<String, OAuthVerifier> oauth = oauth(config, problems);
        Map<String, RoutePins> pins = pins(config, problems);
        if (!problems.isEmpty()) {
            retireRemoteKeysExcept(inUse);
            throw new ConfigException(problems);
        }
        inUse = remoteKeySettings(config);
        retireRemoteKeysExcept(inUse);
        retireOAuthKeysExcept(config);
        Map<String, String> digests = new java.util.TreeMap<>(policyDigests(config.policyDirectory()));
        // A renewed manifest changes what is served as surely as a policy does: it is part of the configuration's hash.
        pins.forEach((route, p) -> digests.put("pins:" + route, LiveConfig.digest(p.manifest().toYaml().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return GatewaySnapshot.compile(config, policies, axid, digests, oauth, pins);
    }

    /** Loads each pinning route's manifest; a missing, unreadable or tampered one is a configuration problem (fail closed). */
    private static Map<String, RoutePins> pins(GatewayConfig config, List<ConfigProblem> problems) {
        Map<String, RoutePins> out = new java.util.HashMap<>();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig route = config.routes().get(i);
            if (route.pinning() == null) {
                continue;
            }
            try {
                PinManifest manifest = PinManifest.load(route.pinning().manifest());
                PinnedDefinitions.Kind expected = route.protocol() == dev.tollgate.gateway.config.Protocol.A2A
                        ? PinnedDefinitions.Kind.SKILLS : PinnedDefinitions.Kind.TOOLS;
                if (manifest.kind() != expected) {
                    problems.add(new ConfigProblem(config.source(), 0, "routes[" + i + "].pinning.manifest", route.pinning().manifest()
                            + " pins " + manifest.kind().yamlKey() + ", but route " + route.name() + " is " + route.protocol()));
                    continue;
                }
                out.put(route.name(), new RoutePins(manifest, route.pinning().onChange(), dev.tollgate.gateway.routing.ServerEndpoints.of(route)));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(config.source(), 0, "routes[" + i + "].pinning.manifest", e.getMessage()));
            }
        }
        return out;
    }

    /** Loads the AXID keys (a JWKS file of Ed25519 public keys, each with a kid). */
    private AxidCache axid(GatewayConfig config, List<ConfigProblem> problems) {
        if (config.axid().remoteKeys() != null) {
            return remoteAxid(config, problems);
        }
        Path file = config.axid().jwksFile();
        try {
            AxidVerifier verifier = new AxidVerifier(config.axid(), JWKSet.load(file.toFile()));
            if (verifier.keyCount() == 0) {
                problems.add(new ConfigProblem(config.source(), 0, "identity.axid.jwks-file",
                        file + " holds no Ed25519 key with a kid (AXIDs are EdDSA only)"));
                return null;
            }
            return new AxidCache(verifier, Clock.systemUTC());
        } catch (IOException | java.text.ParseException | IllegalArgumentException e) {
            problems.add(new ConfigProblem(config.source(), 0, "identity.axid.jwks-file", "cannot load " + file + ": " + e.getMessage()));
            return null;
        }
    }

    private PolicyBundle loadPolicies(Path directory, Map<String, CheckBinding> customChecks) throws ConfigException {
        if (directory == null) {
            return PolicyBundle.empty();
        }
        try {
            return PolicyLoader.loadDirectory(directory, checks.withBindings(customChecks));
        } catch (PolicyException e) {
            throw new ConfigException(e.problems().stream()
                    .map(p -> new ConfigProblem(p.file(), p.line(), p.field(), p.message()))
                    .toList());
        }
    }

    private static String describe(Path directory, PolicyBundle policies) {
        if (directory == null) {
            return "(no policies.directory configured)";
        }
        String names = policies.all().stream().map(CompiledPolicy::name).sorted().collect(Collectors.joining(", "));
        return directory + " (loaded: " + (names.isEmpty() ? "none" : names) + ")";
    }

    /** The digest of every file in the policy directory, for the configuration hash (read on the loading thread). */
    private static Map<String, String> policyDigests(Path directory) throws ConfigException {
        if (directory == null) {
            return Map.of();
        }
        Map<String, String> digests = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(directory)) {
            for (Path file : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                digests.put(file.getFileName().toString(), LiveConfig.digest(java.nio.file.Files.readAllBytes(file)));
            }
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(directory.toString(), 0, "policies.directory", "cannot read: " + e.getMessage())));
        }
        return digests;
    }
}
