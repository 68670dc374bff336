package dev.tollgate.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * mTLS on a listener with SPIFFE X.509-SVIDs from PEM files: the gateway's own SVID (chain + PKCS#8 key)
 * and the trust bundles of the trust domains whose workloads may connect. A client certificate is required.
 *
 * @param engine {@code openssl} (BoringSSL, the default where it loads) or {@code jdk}
 */
public record TlsConfig(Path certChain, Path privateKey, Path trustBundle, List<String> trustDomains, String engine) {

    public TlsConfig {
        trustDomains = List.copyOf(trustDomains);
    }
}
