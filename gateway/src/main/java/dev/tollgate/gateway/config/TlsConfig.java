package dev.tollgate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * mTLS on a listener with SPIFFE X.509-SVIDs: the gateway's own SVID and the trust bundles of the trust
 * domains whose workloads may connect, from PEM files or from the SPIFFE Workload API. A client
 * certificate is required.
 *
 * @param certChain    files source: the SVID chain (PEM); null for the Workload API
 * @param privateKey   files source: its PKCS#8 key (PEM)
 * @param trustBundle  files source: the CA certificates of the trusted domains (PEM); with several trust domains, each
 *                     CA names its own in a {@code spiffe://<trust domain>} URI SAN and is trusted for that one only
 * @param trustDomains the only trust domains whose SVIDs are accepted (with the Workload API too, whatever
 *                     federated bundles the agent sends)
 * @param engine       {@code openssl} (BoringSSL, the default where it loads) or {@code jdk}
 * @param source       where the SVID and bundles come from
 * @param socket       Workload API address ({@code unix:/path}); null means {@code SPIFFE_ENDPOINT_SOCKET}
 * @param timeout      how long startup waits for the Workload API's first SVID before failing
 */
public record TlsConfig(Path certChain, Path privateKey, Path trustBundle, List<String> trustDomains, String engine,
                        Source source, String socket, Duration timeout) {

    /** PEM files (watched and reloaded) or the SPIFFE Workload API (rotations pushed by the agent). */
    public enum Source { FILES, WORKLOAD_API }

    public static final Duration DEFAULT_WORKLOAD_API_TIMEOUT = Duration.ofSeconds(10);

    public TlsConfig {
        trustDomains = List.copyOf(trustDomains);
    }

    /** SVID and bundles from PEM files. */
    public TlsConfig(Path certChain, Path privateKey, Path trustBundle, List<String> trustDomains, String engine) {
        this(certChain, privateKey, trustBundle, trustDomains, engine, Source.FILES, null, DEFAULT_WORKLOAD_API_TIMEOUT);
    }
}
