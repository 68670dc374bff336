package dev.tollgate.gateway.identity;

import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.workloadapi.X509Source;

/**
 * Where an mTLS listener gets its own SVID and the trust bundles it checks peers against: PEM files
 * ({@link FileSvidSource}) or the SPIFFE Workload API ({@link WorkloadApiSvidSource}). Handshakes read
 * the source each time, so a rotation reaches new connections while open ones keep their session; requests on an open
 * connection are checked against the current bundles again when {@link #trustVersion} moves (PeerSvidGuard).
 */
public interface SvidSource extends X509Source {

    /**
     * An object that is replaced (a new identity) whenever the trust bundles may have changed, only after the new
     * bundles are in use: a verdict on a peer's chain taken after reading version {@code v} holds while this still
     * returns {@code v} (compared by identity). A field read: mTLS listeners compare it on every request.
     */
    Object trustVersion();

    /** Re-reads material the source does not watch by itself (files); the Workload API pushes its own rotations. */
    default void reload() throws X509SvidException, X509BundleException {
    }

    /** Releases the source (the Workload API stream); handshakes after this fail. */
    @Override
    default void close() {
    }
}
