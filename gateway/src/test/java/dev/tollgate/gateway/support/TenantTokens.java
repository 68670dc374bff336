package dev.tollgate.gateway.support;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * AXIDs for tests about who owns what (sessions, tasks, per-caller limits): one signing key, its JWKS file,
 * the {@code identity:} YAML that trusts it, and a token per tenant.
 */
public final class TenantTokens {

    public static final String ISSUER = "https://auth.test";
    public static final String AUDIENCE = "tollgate";

    private final OctetKeyPair key;
    private final Path jwks;

    private TenantTokens(OctetKeyPair key, Path jwks) {
        this.key = key;
        this.jwks = jwks;
    }

    /** Writes the JWKS into {@code dir}. */
    public static TenantTokens in(Path dir) throws Exception {
        OctetKeyPair key = DevAxid.newKey("k1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        return new TenantTokens(key, jwks);
    }

    /** The top-level YAML line that makes a gateway verify these tokens and require a tenant. */
    public String identityYaml() {
        return "identity: {axid: {jwks-file: " + jwks + ", issuer: \"" + ISSUER + "\", audience: " + AUDIENCE
                + ", required-claims: [tenant]}}\n";
    }

    /**
     * A gateway configuration requiring these tokens, with one MCP route to the upstream under an allow-all policy
     * (written into {@code dir}/policies): tests of what one tenant can reach of another's.
     */
    public String allowAllMcpYaml(Path dir, String route, String upstreamUrl) throws java.io.IOException {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: %s, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(policies, identityYaml().strip(), route, upstreamUrl);
    }

    /** A valid token with these claims (a run's: {@code tenant}, {@code agent}, {@code run}). */
    public String token(Map<String, Object> claims) throws Exception {
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    /** A valid token for the tenant's agent; a null agent leaves the claim out. */
    public String token(String tenant, String agent) throws Exception {
        Map<String, Object> claims = agent == null ? Map.of("tenant", tenant) : Map.of("tenant", tenant, "agent", agent);
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }
}
