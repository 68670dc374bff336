package dev.tollgate.gateway.identity;

import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.workloadapi.X509Source;

/**
 * Where an mTLS listener gets its own SVID and the trust bundles it checks peers against: PEM files
 * ({@link FileSvidSource}) or the SPIFFE Workload API ({@link WorkloadApiSvidSource}). Handshakes read
 * the source each time, so a rotation reaches new connections while open ones keep their session.
 */
public interface SvidSource extends X509Source {

    /** Re-reads material the source does not watch by itself (files); the Workload API pushes its own rotations. */
    default void reload() throws X509SvidException, X509BundleException {
    }

    /** Releases the source (the Workload API stream); handshakes after this fail. */
    @Override
    default void close() {
    }
}
