package dev.tollgate.gateway.identity;

import io.spiffe.bundle.BundleSource;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.provider.SpiffeTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a client only with a valid X.509-SVID: java-spiffe's trust manager checks the chain against the
 * bundle of the certificate's trust domain (an unknown trust domain has none: refused) and the validity
 * window; this adds the leaf rules it leaves out: exactly one URI SAN, a {@code spiffe://} one, and not a CA.
 */
public final class SvidTrustManager extends X509ExtendedTrustManager {

    private static final int SAN_URI = 6;

    private final SpiffeTrustManager delegate;
    private final Predicate<String> acceptedPeer;

    /** Any SVID of a trusted domain (listeners: routes then restrict callers by SPIFFE ID). */
    public SvidTrustManager(BundleSource<X509Bundle> bundles) {
        this(bundles, id -> true);
    }

    /** Only SVIDs whose SPIFFE ID passes {@code acceptedPeer} (upstreams: the one workload the route names). */
    public SvidTrustManager(BundleSource<X509Bundle> bundles, Predicate<String> acceptedPeer) {
        this.delegate = new SpiffeTrustManager(bundles);
        this.acceptedPeer = acceptedPeer;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkLeaf(chain);
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkLeaf(chain);
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkLeaf(chain);
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkLeaf(chain);
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkLeaf(chain);
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkLeaf(chain);
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** The SPIFFE ID of an SVID leaf: its single {@code spiffe://} URI SAN. */
    public static String spiffeId(X509Certificate leaf) throws CertificateException {
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        String id = null;
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
                    if (id != null) {
                        throw new CertificateException("an SVID has exactly one URI SAN; this certificate has several");
                    }
                    id = String.valueOf(san.get(1));
                }
            }
        }
        if (id == null || !id.startsWith("spiffe://")) {
            throw new CertificateException("not an X.509-SVID: no spiffe:// URI SAN");
        }
        return id;
    }

    private void checkLeaf(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
        X509Certificate leaf = chain[0];
        if (leaf.getBasicConstraints() != -1) {
            throw new CertificateException("a CA certificate cannot be an SVID leaf");
        }
        try {
            String id = spiffeId(leaf);
            if (!acceptedPeer.test(id)) {
                throw new CertificateException("SPIFFE ID " + id + " is not the one expected of this peer");
            }
        } catch (CertificateParsingException e) {
            throw new CertificateException("unreadable subject alternative names", e);
        }
    }
}
