package dev.tollgate.gateway.identity;

import io.spiffe.bundle.jwtbundle.JwtBundleSet;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.bundle.x509bundle.X509BundleSet;
import io.spiffe.exception.JwtBundleException;
import io.spiffe.exception.JwtSvidException;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509ContextException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.Watcher;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.io.IOException;
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
    private final VersionedClient client;

    private WorkloadApiSvidSource(DefaultX509Source source, Set<TrustDomain> trusted, VersionedClient client) {
        this.source = source;
        this.trusted = trusted;
        this.client = client;
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
        VersionedClient client;
        try {
            client = new VersionedClient(DefaultWorkloadApiClient.newClient(
                    DefaultWorkloadApiClient.ClientOptions.builder().spiffeSocketPath(address).build()));
        } catch (SocketEndpointAddressException e) {
            throw new IllegalStateException("SPIFFE Workload API address " + address + " is not valid: " + e.getMessage(), e);
        }
        DefaultX509Source.X509SourceOptions options = DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(address)
                .workloadApiClient(client)
                // java-spiffe counts the timeout in whole seconds; zero would mean wait forever.
                .initTimeout(Duration.ofSeconds(Math.max(1, (timeout.toMillis() + 999) / 1000)))
                .svidPicker(svids -> pick(svids, lastGood))
                .build();
        DefaultX509Source source;
        try {
            source = DefaultX509Source.newSource(options);
        } catch (SocketEndpointAddressException e) {
            client.closeQuietly();
            throw new IllegalStateException("SPIFFE Workload API address " + address + " is not valid: " + e.getMessage(), e);
        } catch (X509SourceException e) {
            client.closeQuietly();
            throw new IllegalStateException("no SVID from the SPIFFE Workload API at " + address + " within " + timeout
                    + " (is the agent running and does it attest this process?): " + rootMessage(e), e);
        }
        // An agent that refuses the call (e.g. INVALID_ARGUMENT) ends the wait without an SVID: fail closed.
        if (lastGood.get() == null) {
            source.close();
            throw new IllegalStateException("the SPIFFE Workload API at " + address + " answered without a usable SVID");
        }
        return new WorkloadApiSvidSource(source, trustDomains.stream().map(TrustDomain::parse).collect(Collectors.toUnmodifiableSet()), client);
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

    /** Replaced after each update the agent pushes has been installed (an SVID rotation brings new bundle objects too). */
    @Override
    public Object trustVersion() {
        return client.version;
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

    /**
     * java-spiffe's client, with a version replaced after {@link DefaultX509Source}'s watcher has installed each X.509
     * context: its SVID picker runs before the new bundles are in place, so a version bumped there could be read with the
     * old bundles and keep a verdict taken on them.
     */
    private static final class VersionedClient implements WorkloadApiClient {

        private final WorkloadApiClient delegate;
        volatile Object version = new Object();

        VersionedClient(WorkloadApiClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public void watchX509Context(Watcher<X509Context> watcher) {
            delegate.watchX509Context(new Watcher<>() {
                @Override
                public void onUpdate(X509Context update) {
                    try {
                        watcher.onUpdate(update);
                    } finally {
                        version = new Object();
                    }
                }

                @Override
                public void onError(Throwable error) {
                    watcher.onError(error);
                }
            });
        }

        @Override
        public X509Context fetchX509Context() throws X509ContextException {
            return delegate.fetchX509Context();
        }

        @Override
        public X509BundleSet fetchX509Bundles() throws X509BundleException {
            return delegate.fetchX509Bundles();
        }

        @Override
        public void watchX509Bundles(Watcher<X509BundleSet> watcher) {
            delegate.watchX509Bundles(watcher);
        }

        @Override
        public JwtSvid fetchJwtSvid(String audience, String... extraAudience) throws JwtSvidException {
            return delegate.fetchJwtSvid(audience, extraAudience);
        }

        @Override
        public JwtSvid fetchJwtSvid(SpiffeId subject, String audience, String... extraAudience) throws JwtSvidException {
            return delegate.fetchJwtSvid(subject, audience, extraAudience);
        }

        @Override
        public List<JwtSvid> fetchJwtSvids(String audience, String... extraAudience) throws JwtSvidException {
            return delegate.fetchJwtSvids(audience, extraAudience);
        }

        @Override
        public List<JwtSvid> fetchJwtSvids(SpiffeId subject, String audience, String... extraAudience) throws JwtSvidException {
            return delegate.fetchJwtSvids(subject, audience, extraAudience);
        }

        @Override
        public JwtBundleSet fetchJwtBundles() throws JwtBundleException {
            return delegate.fetchJwtBundles();
        }

        @Override
        public JwtSvid validateJwtSvid(String token, String audience) throws JwtSvidException {
            return delegate.validateJwtSvid(token, audience);
        }

        @Override
        public void watchJwtBundles(Watcher<JwtBundleSet> watcher) {
            delegate.watchJwtBundles(watcher);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }

        void closeQuietly() {
            try {
                delegate.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the Workload API client failed: {}", e.toString());
            }
        }
    }
}
