package dev.tollgate.gateway.identity;

import dev.tollgate.gateway.config.TlsConfig;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.InvalidSpiffeIdException;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's SVID and its trust bundles, read from PEM files (java-spiffe ships no file-based source).
 * Loading checks what {@code X509Svid.load} does not: that the private key belongs to the leaf certificate.
 * {@link #reload} swaps in new files atomically; new TLS handshakes use them, open connections keep going.
 */
public final class FileSvidSource implements SvidSource {

    private final TlsConfig config;
    private volatile X509Svid svid;
    private volatile Map<TrustDomain, X509Bundle> bundles;

    public FileSvidSource(TlsConfig config) throws X509SvidException, X509BundleException {
        this.config = config;
        reload();
    }

    /** Re-reads the files; on any error the previous SVID and bundles stay in use. */
    @Override
    public void reload() throws X509SvidException, X509BundleException {
        X509Svid next = X509Svid.load(config.certChain(), config.privateKey());
        if (!keyMatches(next.getPrivateKey(), next.getLeaf().getPublicKey())) {
            throw new X509SvidException("private key " + config.privateKey() + " does not belong to the leaf certificate in " + config.certChain());
        }
        Map<TrustDomain, X509Bundle> nextBundles = bundles(config.trustBundle(), config.trustDomains());
        svid = next;
        bundles = nextBundles;
    }

    /**
     * Each trust domain's bundle from the one {@code trust-bundle} file. With one trust domain, the whole file (its CAs
     * need not name it). With several, each CA goes only to the trust domain its URI SAN names ({@code spiffe://<td>},
     * as SPIRE's CAs do): an SVID is checked against the bundle of the trust domain its ID names, and a shared bundle
     * would let one domain's CA issue SVIDs of every other. A CA naming no configured trust domain, or a trust domain
     * left without a CA, fails the load (the previous bundles stay in use on a reload).
     */
    static Map<TrustDomain, X509Bundle> bundles(Path file, List<String> trustDomains) throws X509BundleException {
        List<TrustDomain> domains = trustDomains.stream().map(TrustDomain::parse).toList();
        if (domains.size() == 1) {
            return Map.of(domains.get(0), X509Bundle.load(domains.get(0), file));
        }
        Map<TrustDomain, Set<X509Certificate>> byDomain = new LinkedHashMap<>();
        domains.forEach(td -> byDomain.put(td, new LinkedHashSet<>()));
        // java-spiffe's PEM reading; the trust domain given here is not used
        for (X509Certificate ca : X509Bundle.load(domains.get(0), file).getX509Authorities()) {
            TrustDomain named = namedTrustDomain(file, ca);
            Set<X509Certificate> bundle = byDomain.get(named);
            if (bundle == null) {
                throw new X509BundleException("trust-bundle " + file + ": the CA certificate '" + ca.getSubjectX500Principal().getName()
                        + "' is of trust domain " + named.getName() + ", which is not in trust-domains " + trustDomains
                        + ": remove it from the file or add " + named.getName() + " to trust-domains");
            }
            bundle.add(ca);
        }
        Map<TrustDomain, X509Bundle> bundles = new LinkedHashMap<>();
        for (Map.Entry<TrustDomain, Set<X509Certificate>> domain : byDomain.entrySet()) {
            if (domain.getValue().isEmpty()) {
                throw new X509BundleException("trust-bundle " + file + ": no CA certificate names trust domain " + domain.getKey().getName()
                        + " (a URI SAN " + domain.getKey().toIdString() + "), so none of its SVIDs could be accepted");
            }
            bundles.put(domain.getKey(), new X509Bundle(domain.getKey(), domain.getValue()));
        }
        return Map.copyOf(bundles);
    }

    /** The trust domain a CA certificate names: its one {@code spiffe://} URI SAN, a trust domain ID in canonical form. */
    private static TrustDomain namedTrustDomain(Path file, X509Certificate ca) throws X509BundleException {
        List<String> ids;
        try {
            ids = SvidTrustManager.uriSans(ca).stream().filter(uri -> uri.startsWith("spiffe://")).toList();
        } catch (CertificateParsingException e) {
            ids = List.of();
        }
        if (ids.size() == 1) {
            try {
                SpiffeId id = SpiffeId.parse(ids.get(0));
                if (id.getPath().isEmpty() && id.toString().equals(ids.get(0))) {
                    return id.getTrustDomain();
                }
            } catch (InvalidSpiffeIdException | IllegalArgumentException e) {
                // not a trust domain ID: refused below
            }
        }
        throw new X509BundleException("trust-bundle " + file + ": the CA certificate '" + ca.getSubjectX500Principal().getName()
                + "' does not name one trust domain (its spiffe:// URI SANs: " + ids + "). With several trust-domains on a listener each CA"
                + " must name its own, or one domain's CA could issue SVIDs of the others: put the trust domain's SPIFFE ID"
                + " (spiffe://<trust domain>) in the CA certificate as a URI SAN, or give each trust domain a listener of its own"
                + " with a trust-bundle file holding only its CAs");
    }

    /** The bundles map itself: each reload installs a new one. */
    @Override
    public Object trustVersion() {
        return bundles;
    }

    @Override
    public X509Svid getX509Svid() {
        return svid;
    }

    @Override
    public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain) throws BundleNotFoundException {
        X509Bundle bundle = bundles.get(trustDomain);
        if (bundle == null) {
            throw new BundleNotFoundException("trust domain " + trustDomain + " is not trusted by this listener");
        }
        return bundle;
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = "tollgate-key-check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
