package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.identity.AxidCache;
import dev.tollgate.gateway.identity.AxidException;
import dev.tollgate.gateway.identity.VerifiedAxid;
import dev.tollgate.gateway.identity.SvidTrustManager;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.condition.Glob;
import io.vertx.core.Future;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Establishes who is calling: the workload's SPIFFE ID from the mTLS client certificate (checked against
 * the route's allowed SPIFFE IDs, 403 otherwise), and which run took this action: verifies the {@code X-Waxell-AXID} token per the route's mode
 * and puts its claims on the exchange for policy, spans and audit. A missing (when required) or invalid
 * token gets 401 with a JSON-RPC error, a {@code WWW-Authenticate} challenge and a stable reason; nothing
 * is forwarded. Verification is CPU only and cached per token until it expires.
 */
public final class IdentityStage implements Stage {

    private final ErrorResponder errors;

    public IdentityStage(ErrorResponder errors) {
        this.errors = errors;
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        String spiffeId = peerSpiffeId(exchange);
        List<Glob> allowed = exchange.route().route().allowedSpiffeIds();
        if (!allowed.isEmpty() && (spiffeId == null || allowed.stream().noneMatch(g -> g.matches(spiffeId)))) {
            errors.respond(exchange.response(), RejectReason.SPIFFE_ID_NOT_ALLOWED, null,
                    spiffeId == null ? "no SPIFFE ID (not an mTLS connection)" : spiffeId + " is not allowed on this route");
            exchange.errorType(RejectReason.SPIFFE_ID_NOT_ALLOWED.code());
            return StageResult.responded();
        }
        if (spiffeId != null) {
            exchange.identity(withSpiffeId(exchange.identity(), spiffeId));
        }
        AxidMode mode = exchange.route().route().config().axid();
        if (mode == AxidMode.OFF) {
            return StageResult.proceed();
        }
        List<String> tokens = exchange.request().headers().getAll(AxidConfig.HEADER);
        if (tokens.size() > 1) {
            // One would be verified and, with forward: pass, both forwarded: an upstream reading the other (the last,
            // or both joined) would act on an identity the gateway never checked.
            return reject(exchange, RejectReason.AXID_MALFORMED, tokens.size() + " " + AxidConfig.HEADER + " headers; a call carries one");
        }
        String token = tokens.isEmpty() ? null : tokens.get(0);
        AxidCache axid = exchange.snapshot().axid();
        if (token == null || token.isEmpty()) {
            // Refused before the body is read (an unauthenticated caller gets no buffer), so the answer's id is null.
            return mode == AxidMode.OPTIONAL ? StageResult.proceed() : reject(exchange, RejectReason.AXID_MISSING,
                    "route " + exchange.route().route().name() + " needs the run's AXID in the " + AxidConfig.HEADER
                            + " header (in development: tollgate token --key axid-private.jwk.json)");
        }
        if (axid == null) {
            // The route wants tokens but this snapshot cannot verify any: fail closed.
            return reject(exchange, RejectReason.AXID_UNKNOWN_KEY, "no AXID keys are configured");
        }
        return verify(exchange, axid, token.trim(), spiffeId, true);
    }

    /** On an unknown kid with remote keys: refetch (off the loop, rate-limited), then verify once more. */
    private Future<StageResult> verify(Exchange exchange, AxidCache axid, String token, String spiffeId, boolean mayRefetch) {
        try {
            VerifiedAxid verified = axid.verify(token);
            Identity fromToken = verified.identity();
            boolean singleUse = exchange.route().route().config().axid() == AxidMode.SINGLE_USE;
            if (singleUse && verified.jti() == null) {
                return reject(exchange, RejectReason.AXID_MISSING_CLAIM, "this route accepts each token once: it needs a jti claim");
            }
            AxidConfig.Binding binding = exchange.snapshot().config().axid().binding();
            if (binding != null && !bound(fromToken, spiffeId, binding)) {
                return reject(exchange, RejectReason.AXID_BINDING_MISMATCH, "claim " + binding.claim() + " does not match "
                        + (spiffeId == null ? "any SPIFFE ID (no mTLS client certificate)" : spiffeId));
            }
            exchange.identity(spiffeId == null ? fromToken : withSpiffeId(fromToken, spiffeId));
            exchange.verifiedAxid(token);
            if (singleUse) {
                // Spent by AxidReplayStage once OAuth admitted the call too (review BH: spent here, before the binding and
                // OAuth checks, a token another workload was refused, or a call without its bearer token, burnt it).
                exchange.singleUseAxid(verified);
            }
            return StageResult.proceed();
        } catch (AxidException e) {
            if (mayRefetch && e.reason() == RejectReason.AXID_UNKNOWN_KEY) {
                return Future.fromCompletionStage(axid.refreshKeys(), io.vertx.core.Vertx.currentContext())
                        .compose(refreshed -> refreshed ? verify(exchange, axid, token, spiffeId, false)
                                : reject(exchange, e.reason(), e.getMessage()));
            }
            return reject(exchange, e.reason(), e.getMessage());
        }
    }

    /** The workload's SPIFFE ID from the verified client certificate of an mTLS connection, else null. */
    private static String peerSpiffeId(Exchange exchange) {
        if (!exchange.request().isSSL()) {
            return null;
        }
        try {
            List<Certificate> peer = exchange.request().connection().peerCertificates();
            return peer.isEmpty() ? null : SvidTrustManager.spiffeId((X509Certificate) peer.get(0));
        } catch (SSLPeerUnverifiedException | CertificateException e) {
            return null;
        }
    }

    /** The claim equals the SPIFFE ID's trust domain (segment 0) or its n-th path segment. */
    static boolean bound(Identity identity, String spiffeId, AxidConfig.Binding binding) {
        Object claim = identity.claim(binding.claim());
        if (spiffeId == null || claim == null) {
            return false;
        }
        String[] parts = spiffeId.substring("spiffe://".length()).split("/");
        return binding.segment() < parts.length && parts[binding.segment()].equals(String.valueOf(claim));
    }

    private static Identity withSpiffeId(Identity i, String spiffeId) {
        return new Identity(spiffeId, i.tenant(), i.agent(), i.run(), i.subUser(), i.parent(), i.tree(), i.capabilities(), i.claims());
    }

    private Future<StageResult> reject(Exchange exchange, RejectReason reason, String detail) {
        return reject(errors, exchange, reason, detail);
    }

    /** 401 with the AXID challenge and the reason (also {@link AxidReplayStage}'s refusals). */
    static Future<StageResult> reject(ErrorResponder errors, Exchange exchange, RejectReason reason, String detail) {
        exchange.response().putHeader("WWW-Authenticate",
                "AXID header=\"" + AxidConfig.HEADER + "\", error=\"invalid_token\", error_description=\"" + reason.code() + "\"");
        exchange.errorType(reason.code());
        errors.respond(exchange.response(), reason, null, detail);
        return StageResult.responded();
    }
}
