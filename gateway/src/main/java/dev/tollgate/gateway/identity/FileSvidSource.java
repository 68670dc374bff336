package dev.tollgate.gateway.identity;

import dev.tollgate.gateway.config.TlsConfig;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HashMap;
import java.util.Map;

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
        Map<TrustDomain, X509Bundle> nextBundles = new HashMap<>();
        for (String domain : config.trustDomains()) {
            TrustDomain td = TrustDomain.parse(domain);
            nextBundles.put(td, X509Bundle.load(td, config.trustBundle()));
        }
        svid = next;
        bundles = Map.copyOf(nextBundles);
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
