package dev.tollgate.gateway;

import dev.tollgate.gateway.config.TlsConfig;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.SvidTrustManager;
import io.netty.handler.ssl.OpenSsl;
import io.spiffe.provider.SpiffeKeyManager;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import java.util.List;

/**
 * Server-side mTLS with SPIFFE SVIDs: the gateway presents its SVID, requires a client certificate and
 * accepts only valid SVIDs of the listener's trust domains. TLS 1.3 and 1.2; ALPN offers HTTP/2 and HTTP/1.1.
 * OpenSSL (BoringSSL) is used when it loads, the JDK's engine otherwise or on request.
 */
final class SpiffeTls {

    private SpiffeTls() {
    }

    static void configure(HttpServerOptions options, SvidSource source, TlsConfig tls) {
        options.setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(KeyCertOptions.wrap(new SpiffeKeyManager(source)))
                .setTrustOptions(TrustOptions.wrap(new SvidTrustManager(source)))
                .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")))
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
        if ("openssl".equals(tls.engine()) && OpenSsl.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        } else {
            options.setSslEngineOptions(new JdkSSLEngineOptions());
        }
    }
}
