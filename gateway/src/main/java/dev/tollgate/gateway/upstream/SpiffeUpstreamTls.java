package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.config.UpstreamTlsConfig;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.SvidTrustManager;
import dev.tollgate.policy.condition.Glob;
import io.spiffe.provider.SpiffeKeyManager;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/**
 * Client-side mTLS to an upstream with SPIFFE SVIDs: the gateway presents its listener's SVID and accepts
 * the upstream only with a valid SVID of a trusted domain carrying the expected SPIFFE ID. The host name is
 * not verified (SVIDs have no DNS SAN); the SPIFFE ID check takes its place. A failed check aborts the
 * handshake, before any byte of the request is written.
 */
final class SpiffeUpstreamTls {

    private SpiffeUpstreamTls() {
    }

    /** @param source the listener's SVID source; null (not running, e.g. added by a reload) refuses every upstream */
    static void configure(HttpClientOptions options, UpstreamTlsConfig tls, SvidSource source) {
        options.setSsl(true)
                .setVerifyHost(false)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")));
        if (source == null) {
            options.setTrustOptions(TrustOptions.wrap(new RefuseAll("no SVID source '" + tls.svid() + "' is running")));
            return;
        }
        Glob expected = Glob.path(tls.spiffeId());
        options.setKeyCertOptions(KeyCertOptions.wrap(new SpiffeKeyManager(source)))
                .setTrustOptions(TrustOptions.wrap(new SvidTrustManager(source, expected::matches)));
    }

    /** Fails every handshake: a route whose SVID source does not exist must not reach its upstream at all. */
    private record RefuseAll(String why) implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException(why);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException(why);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
