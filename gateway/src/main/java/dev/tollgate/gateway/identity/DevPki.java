package dev.tollgate.gateway.identity;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development SPIFFE PKI: a trust domain CA and X.509-SVIDs signed by it (EC P-256), as PEM files, for
 * {@code tollgate dev-certs} and for tests, which also use it to make deliberately bad SVIDs. Not for
 * production: real SVIDs come from SPIRE or another SPIFFE issuer.
 */
public final class DevPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private DevPki() {
    }

    public static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    public static Issued ca(String trustDomain) throws Exception {
        KeyPair keys = ecKeys();
        X500Name name = new X500Name("CN=" + trustDomain + " CA");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(1))), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
        return new Issued(sign(b, keys), keys);
    }

    /**
     * @param uris      the URI SANs (an SVID has exactly one spiffe:// URI)
     * @param asCa      mark the leaf as a CA (not allowed for an SVID)
     * @param notAfter  end of validity
     */
    public static Issued leaf(Issued ca, List<String> uris, boolean asCa, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair keys = ecKeys();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), new X500Name("CN=workload"), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(asCa));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement
                | (asCa ? KeyUsage.keyCertSign : 0)));
        if (!uris.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(uris.stream()
                    .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u)).toArray(GeneralName[]::new)));
        }
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate())));
        return new Issued(cert, keys);
    }

    public static Issued svid(Issued ca, String spiffeId) throws Exception {
        return leaf(ca, List.of(spiffeId), false, Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofHours(1)));
    }

    /** An SVID that also names DNS hosts (e.g. localhost), so ordinary HTTPS clients such as curl accept it as a server. */
    public static Issued serverSvid(Issued ca, String spiffeId, Duration lifetime, String... dnsNames) throws Exception {
        KeyPair keys = ecKeys();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofMinutes(5))), Date.from(Instant.now().plus(lifetime)), new X500Name("CN=workload"), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
        GeneralName[] names = new GeneralName[1 + dnsNames.length];
        names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId);
        for (int i = 0; i < dnsNames.length; i++) {
            names[i + 1] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate())));
        return new Issued(cert, keys);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair keys) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    public static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    /** Writes chain and PKCS#8 key PEM files; returns {chain, key}. */
    public static Path[] write(Path dir, String name, Issued leaf, X509Certificate... intermediates) throws Exception {
        StringBuilder chain = new StringBuilder(pem(leaf.certificate()));
        for (X509Certificate c : intermediates) {
            chain.append(pem(c));
        }
        Path chainFile = dir.resolve(name + ".pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        Files.writeString(chainFile, chain);
        Files.writeString(keyFile, pem(new JcaPKCS8Generator(leaf.keys().getPrivate(), null)));
        return new Path[]{chainFile, keyFile};
    }

    /**
     * A client TLS context presenting {@code client} (or nothing when null), followed in its chain by {@code intermediates},
     * and trusting {@code serverCa}.
     */
    public static SSLContext clientContext(Issued client, X509Certificate serverCa, X509Certificate... intermediates) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (client != null) {
            X509Certificate[] chain = new X509Certificate[1 + intermediates.length];
            chain[0] = client.certificate();
            System.arraycopy(intermediates, 0, chain, 1, intermediates.length);
            keys.setKeyEntry("client", client.keys().getPrivate(), new char[0], chain);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", serverCa);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
