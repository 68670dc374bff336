package dev.tollgate.gateway.http;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.SvidTrustManager;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An mTLS listener's check that a connection's client SVID is still good for each request it carries, not only at the
 * handshake (review BH): a keep-alive or HTTP/2 connection outlived its client certificate's {@code notAfter} as that
 * workload, and a TLS session resumed on a new connection (session cache, tickets: the trust manager is not asked again)
 * kept an expired SVID's identity, or one whose CA the operator had since removed from the bundle. The verdict on the
 * peer's chain (its validity window and the listener's current bundle, as at a handshake) is kept per connection with
 * the source's {@link SvidSource#trustVersion} and the chain's earliest {@code notAfter}: a request compares both (a
 * field read and a clock compare) and the chain is checked again only when the bundles changed or the clock passed it.
 * A refused request gets 403 {@code svid_expired} or {@code svid_untrusted} and ends its connection: the client
 * reconnects and the handshake asks for a current SVID. Workload API listeners the same (an update from the agent is a
 * new version).
 */
public final class PeerSvidGuard {

    private final SvidSource source;
    private final SvidTrustManager trust;
    private final ErrorResponder errors;

    /** What was found of a connection's client SVID, and how long it holds. */
    public static final class Verdict {
        final Object version;
        final long notAfterMillis;

        Verdict(Object version, long notAfterMillis) {
            this.version = version;
            this.notAfterMillis = notAfterMillis;
        }
    }

    public PeerSvidGuard(SvidSource source, ErrorResponder errors) {
        this.source = source;
        this.trust = new SvidTrustManager(source);
        this.errors = errors;
    }

    /**
     * @param cached the connection's verdict from an earlier request, or null
     * @return the verdict to keep for the connection, or null when the request was refused (answered here, the
     * connection closes after the answer)
     */
    public Verdict admit(HttpServerRequest request, Verdict cached) {
        if (cached != null && cached.version == source.trustVersion() && System.currentTimeMillis() < cached.notAfterMillis) {
            return cached;
        }
        Object version = source.trustVersion();
        X509Certificate[] chain;
        try {
            List<Certificate> peer = request.connection().peerCertificates();
            chain = peer.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            chain = new X509Certificate[0];
        }
        if (chain.length == 0) {
            // Never on a listener requiring client certificates; fail closed if it were.
            return refuse(request, RejectReason.SVID_UNTRUSTED, "no verified client certificate on this connection");
        }
        long now = System.currentTimeMillis();
        long notAfter = Long.MAX_VALUE;
        for (X509Certificate certificate : chain) {
            notAfter = Math.min(notAfter, certificate.getNotAfter().getTime());
        }
        if (now >= notAfter) {
            return refuse(request, RejectReason.SVID_EXPIRED, "the connection's client certificate chain expired at "
                    + java.time.Instant.ofEpochMilli(notAfter));
        }
        try {
            trust.checkClientTrusted(chain, "UNKNOWN");
        } catch (CertificateException | RuntimeException e) {
            return refuse(request, expired(e) ? RejectReason.SVID_EXPIRED : RejectReason.SVID_UNTRUSTED, e.getMessage());
        }
        return new Verdict(version, notAfter);
    }

    private static boolean expired(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return true;
            }
        }
        return false;
    }

    private Verdict refuse(HttpServerRequest request, RejectReason reason, String detail) {
        var connection = request.connection();
        if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        errors.respond(request.response(), reason, null, detail).onComplete(v -> connection.close());
        return null;
    }
}
