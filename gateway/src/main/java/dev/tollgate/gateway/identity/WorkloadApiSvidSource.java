package dev.tollgate.gateway.identity;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.exception.X509SourceException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultX509Source;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's SVID and bundles from the SPIFFE Workload API (java-spiffe's {@link DefaultX509Source}):
 * the agent pushes rotations on an open stream and each new handshake reads the latest. Peers are trusted
 * only for the configured trust domains, whatever federated bundles the agent also sends. An SVID whose key
 * does not match its leaf is refused and the previous one kept (java-spiffe does not check the pair).
 */
public final class WorkloadApiSvidSource implements SvidSource {

    private static final Logger LOG = LoggerFactory.getLogger(WorkloadApiSvidSource.class);

    private final DefaultX509Source source;
    private final Set<TrustDomain> trusted;

    private WorkloadApiSvidSource(DefaultX509Source source, Set<TrustDomain> trusted) {
        this.source = source;
        this.trusted = trusted;
    }

    /**
     * Connects and waits for the first SVID, at most {@code timeout} (blocks: startup thread or worker only).
     *
     * @param socket the Workload API address ({@code unix:/path} or {@code tcp://host:port}); null for
     *               {@code SPIFFE_ENDPOINT_SOCKET}
     * @throws IllegalStateException naming the socket when no usable SVID arrives in time
     */
    public static WorkloadApiSvidSource open(String socket, List<String> trustDomains, Duration timeout) {
        String address = socket != null ? socket : System.getenv(io.spiffe.workloadapi.Address.SOCKET_ENV_VARIABLE);
        if (address == null || address.isBlank()) {
            throw new IllegalStateException("no SPIFFE Workload API socket: set tls.socket or " + io.spiffe.workloadapi.Address.SOCKET_ENV_VARIABLE);
        }
        AtomicReference<X509Svid> lastGood = new AtomicReference<>();
        DefaultX509Source.X509SourceOptions options = DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(address)
                // java-spiffe counts the timeout in whole seconds; zero would mean wait forever.
                .initTimeout(Duration.ofSeconds(Math.max(1, (timeout.toMillis() + 999) / 1000)))
                .svidPicker(svids -> pick(svids, lastGood))
                .build();
        DefaultX509Source source;
        try {
            source = DefaultX509Source.newSource(options);
        } catch (SocketEndpointAddressException e) {
            throw new IllegalStateException("SPIFFE Workload API address " + address + " is not valid: " + e.getMessage(), e);
        } catch (X509SourceException e) {
            throw new IllegalStateException("no SVID from the SPIFFE Workload API at " + address + " within " + timeout
                    + " (is the agent running and does it attest this process?): " + rootMessage(e), e);
        }
        // An agent that refuses the call (e.g. INVALID_ARGUMENT) ends the wait without an SVID: fail closed.
        if (lastGood.get() == null) {
            source.close();
            throw new IllegalStateException("the SPIFFE Workload API at " + address + " answered without a usable SVID");
        }
        return new WorkloadApiSvidSource(source, trustDomains.stream().map(TrustDomain::parse).collect(Collectors.toUnmodifiableSet()));
    }

    /** The first SVID whose key belongs to its leaf; otherwise the previous good one stays (null before the first). */
    private static X509Svid pick(List<X509Svid> svids, AtomicReference<X509Svid> lastGood) {
        for (X509Svid svid : svids) {
            if (FileSvidSource.keyMatches(svid.getPrivateKey(), svid.getLeaf().getPublicKey())) {
                lastGood.set(svid);
                return svid;
            }
            LOG.error("Workload API: SVID {} refused, its private key does not belong to its certificate", svid.getSpiffeId());
        }
        return lastGood.get();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.toString();
    }

    @Override
    public X509Svid getX509Svid() {
        return source.getX509Svid();
    }

    @Override
    public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain) throws BundleNotFoundException {
        if (!trusted.contains(trustDomain)) {
            throw new BundleNotFoundException("trust domain " + trustDomain + " is not trusted by this listener");
        }
        return source.getBundleForTrustDomain(trustDomain);
    }

    @Override
    public void close() {
        source.close();
    }
}
