package dev.tollgate.gateway.identity;

import io.spiffe.bundle.BundleSource;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.InvalidSpiffeIdException;
import io.spiffe.provider.SpiffeTrustManager;
import io.spiffe.spiffeid.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
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

    /**
     * The SPIFFE ID of an SVID leaf: its single {@code spiffe://} URI SAN, spelled exactly as java-spiffe prints it back.
     * java-spiffe lowercases the trust domain to find its bundle, so {@code spiffe://PROD.example/a} would pass the
     * handshake as prod.example's workload while policy, allowed-spiffe-ids, the AXID binding and session keys read
     * another spelling of it: one workload, two identities. Only the canonical form is an SVID here.
     */
    public static String spiffeId(X509Certificate leaf) throws CertificateException {
        List<String> uris = uriSans(leaf);
        if (uris.size() > 1) {
            throw new CertificateException("an SVID has exactly one URI SAN; this certificate has several");
        }
        String id = uris.isEmpty() ? null : uris.get(0);
        if (id == null || !id.startsWith("spiffe://")) {
            throw new CertificateException("not an X.509-SVID: no spiffe:// URI SAN");
        }
        String canonical;
        try {
            canonical = SpiffeId.parse(id).toString();
        } catch (InvalidSpiffeIdException | IllegalArgumentException e) {
            throw new CertificateException("not an X.509-SVID: " + id + " is not a SPIFFE ID (" + e.getMessage() + ")");
        }
        if (!canonical.equals(id)) {
            throw new CertificateException("not an X.509-SVID: " + id + " is not in canonical form (" + canonical + ")");
        }
        return id;
    }

    /** The certificate's URI subject alternative names, in order. */
    static List<String> uriSans(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        List<String> uris = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
                    uris.add(String.valueOf(san.get(1)));
                }
            }
        }
        return uris;
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
