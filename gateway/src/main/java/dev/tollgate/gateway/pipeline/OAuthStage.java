package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.identity.OAuthIntrospection;
import dev.tollgate.gateway.identity.OAuthPrincipal;
import dev.tollgate.gateway.identity.OAuthVerifier;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.condition.ScopeCondition;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * On a route with {@code oauth}, the gateway is the resource server: a call without a valid bearer token gets 401
 * with {@code WWW-Authenticate: Bearer resource_metadata="..."} pointing at the gateway's own protected-resource
 * metadata for the route (so an MCP client's OAuth flow discovers the gateway, not the upstream behind it), and a
 * token lacking a required scope gets 403 {@code insufficient_scope}. A valid token's subject, client and scopes
 * become identity facts for policy, spans and audit. The token itself is never forwarded (UpstreamCall strips it).
 */
final class OAuthStage implements Stage {

    private static final String BEARER = "bearer ";

    private final ErrorResponder errors;

    OAuthStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "oauth";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        OAuthVerifier verifier = exchange.snapshot().oauth(exchange.route().route().name());
        if (verifier == null) {
            return StageResult.proceed();
        }
        List<String> headers = exchange.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        if (headers.isEmpty()) {
            return challenge(exchange, verifier, RejectReason.OAUTH_TOKEN_MISSING, null);
        }
        String header = headers.get(0).strip();
        if (headers.size() > 1 || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            // Two credentials could be read differently by the next hop; anything but Bearer is not a token of ours.
            return challenge(exchange, verifier, RejectReason.OAUTH_TOKEN_INVALID, "send exactly one Authorization: Bearer <token>");
        }
        String token = header.substring(BEARER.length()).strip();
        if (verifier.upstreamTokens() != null) {
            exchange.bearerToken(token);
        }
        return verify(exchange, verifier, token, true);
    }

    private Future<StageResult> verify(Exchange exchange, OAuthVerifier verifier, String token, boolean mayRefetch) {
        if (verifier.introspection() != null) {
            var limits = exchange.route().route().config().concurrency();
            // Before any concurrency limit can apply: the client's address and the route bound the introspections in flight.
            var introspecting = verifier.introspection().introspect(token, ConcurrencyStage.address(exchange),
                    new OAuthIntrospection.Limits(limits.maxCalls(), limits.maxPerCaller()));
            return Future.fromCompletionStage(introspecting, io.vertx.core.Vertx.currentContext())
                    .compose(principal -> {
                        if (disagrees(exchange.identity(), principal)) {
                            return subjectMismatch(exchange);
                        }
                        exchange.identity(withPrincipal(exchange.identity(), principal, verifier.config().issuer()));
                        return StageResult.proceed();
                    }, failure -> {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                        if (cause instanceof OAuthVerifier.Rejected rejected && (rejected.reason() == RejectReason.ROUTE_CONCURRENCY_LIMIT
                                || rejected.reason() == RejectReason.CALLER_CONCURRENCY_LIMIT)) {
                            exchange.errorType(rejected.reason().code());
                            exchange.response().putHeader("Retry-After", "1");
                            errors.respond(exchange.response(), rejected.reason(), null, rejected.getMessage());
                            return StageResult.responded();
                        }
                        return cause instanceof OAuthVerifier.Rejected rejected ? challenge(exchange, verifier, rejected.reason(), rejected.getMessage())
                                : challenge(exchange, verifier, RejectReason.OAUTH_INTROSPECTION_FAILED, cause.toString());
                    });
        }
        try {
            OAuthPrincipal principal = verifier.verify(token);
            if (disagrees(exchange.identity(), principal)) {
                return subjectMismatch(exchange);
            }
            exchange.identity(withPrincipal(exchange.identity(), principal, verifier.config().issuer()));
            return StageResult.proceed();
        } catch (OAuthVerifier.Rejected e) {
            if (mayRefetch && e.reason() == RejectReason.OAUTH_UNKNOWN_KEY) {
                return Future.fromCompletionStage(verifier.keys().refetchForUnknownKey(), io.vertx.core.Vertx.currentContext())
                        .compose(refreshed -> refreshed ? verify(exchange, verifier, token, false) : challenge(exchange, verifier, e.reason(), e.getMessage()));
            }
            return challenge(exchange, verifier, e.reason(), e.getMessage());
        }
    }

    /**
     * Policy sees {@code claim: client_id}, {@code scope: x}, {@code claim: oauth_iss}; an OAuth subject fills {@code sub}
     * when no AXID named a sub-user. The issuer is the route's: a subject or client id is unique only per issuer.
     */
    /** The AXID claims that name the run's identity (Identity's own fields), kept by name beside the token's. */
    private static final java.util.Set<String> AXID_IDENTITY_CLAIMS = java.util.Set.of("tenant", "agent", "run", "sub", "parent",
            "tree", "capabilities");

    private static final String AXID_PREFIX = "axid.";

    /** What {@link #withPrincipal} writes from the verified principal alone. */
    private static final java.util.Set<String> PRINCIPAL_CLAIMS = java.util.Set.of("oauth_sub", CallerKey.OAUTH_ISSUER, "client_id");

    private static Identity withPrincipal(Identity i, OAuthPrincipal principal, java.net.URI issuer) {
        // The token's claims over the AXID's (review W: an AXID claim "role" replaced the role the authorization server
        // gave the user): on a route that validates tokens, the authorization server speaks for the user.
        // The AXID's own claims stay under "axid." (review AM: where the token said nothing, an AXID's "role" was read as
        // the role the authorization server gave the user): on this route only the token speaks for the user by name.
        Map<String, Object> claims = new HashMap<>();
        i.claims().forEach((name, value) -> claims.put(AXID_IDENTITY_CLAIMS.contains(name) ? name : AXID_PREFIX + name, value));
        // ... and those names are the AXID's alone: a token's own "axid.role" claim would read as what the AXID said.
        principal.claims().forEach((name, value) -> {
            if (!name.startsWith(AXID_PREFIX)) {
                claims.put(name, value);
            }
        });
        // The names the gateway gives the verified principal hold only verified values (review AL: a token without sub
        // but with a custom "oauth_sub": "alice" claim was alice to CallerKey and TenantKey, her tasks and shares). The
        // AXID's claims never carry them (AxidVerifier drops them); the token's unregistered claims could.
        claims.keySet().removeAll(PRINCIPAL_CLAIMS);
        claims.put(ScopeCondition.CLAIM, principal.scopes());
        claims.put(CallerKey.OAUTH_ISSUER, issuer.toString());
        if (principal.clientId() != null) {
            claims.put("client_id", principal.clientId());
        }
        if (principal.subject() != null) {
            claims.put("oauth_sub", principal.subject());
        }
        return new Identity(i.spiffeId(), i.tenant(), i.agent(), i.run(), i.subUser() != null ? i.subUser() : principal.subject(), i.parent(),
                i.tree(), i.capabilities(), claims);
    }

    /** Review V: the AXID's sub-user and the authenticated OAuth subject name two people; policy would read the AXID's. */
    private static boolean disagrees(Identity identity, OAuthPrincipal principal) {
        return identity.subUser() != null && principal.subject() != null && !identity.subUser().equals(principal.subject());
    }

    private Future<StageResult> subjectMismatch(Exchange exchange) {
        exchange.errorType(RejectReason.AXID_BINDING_MISMATCH.code());
        errors.respond(exchange.response(), RejectReason.AXID_BINDING_MISMATCH, null,
                "the AXID's sub-user is not the subject of the bearer token");
        return StageResult.responded();
    }

    private Future<StageResult> challenge(Exchange exchange, OAuthVerifier verifier, RejectReason reason, String detail) {
        StringBuilder value = new StringBuilder("Bearer resource_metadata=\"").append(verifier.config().metadataUrl()).append('"');
        if (reason == RejectReason.OAUTH_INSUFFICIENT_SCOPE) {
            value.append(", error=\"insufficient_scope\", scope=\"").append(String.join(" ", verifier.config().requiredScopes())).append('"');
        } else if (reason != RejectReason.OAUTH_TOKEN_MISSING) {
            value.append(", error=\"invalid_token\"");
        } else if (!verifier.config().scopesSupported().isEmpty()) {
            value.append(", scope=\"").append(String.join(" ", verifier.config().scopesSupported())).append('"');
        }
        exchange.response().putHeader("WWW-Authenticate", value.toString());
        exchange.errorType(reason.code());
        errors.respond(exchange.response(), reason, null, detail);
        return StageResult.responded();
    }
}
