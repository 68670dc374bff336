package dev.tollgate.gateway.identity;

import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.gateway.config.TlsConfig;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the SVID source of every mTLS listener at startup (file reads, Workload API waits: never on an event loop). */
public final class SvidSources {

    private static final Logger LOG = LoggerFactory.getLogger(SvidSources.class);

    private SvidSources() {
    }

    /**
     * @return the sources by listener name
     * @throws IllegalStateException naming the listener when one cannot be opened (those already open are closed)
     */
    public static Map<String, SvidSource> open(List<ListenerConfig> listeners) {
        Map<String, SvidSource> opened = new LinkedHashMap<>();
        for (ListenerConfig listener : listeners) {
            if (listener.tls() == null) {
                continue;
            }
            try {
                opened.put(listener.name(), open(listener.tls()));
            } catch (X509SvidException | X509BundleException | RuntimeException e) {
                closeAll(opened.values());
                throw new IllegalStateException("listener " + listener.name() + ": cannot load its SVID or bundle: " + e.getMessage(), e);
            }
        }
        return opened;
    }

    static SvidSource open(TlsConfig tls) throws X509SvidException, X509BundleException {
        if (tls.source() == TlsConfig.Source.WORKLOAD_API) {
            return WorkloadApiSvidSource.open(tls.socket(), tls.trustDomains(), tls.timeout());
        }
        return new FileSvidSource(tls);
    }

    /** Closes every source, logging (not throwing) a failure so the others still close. */
    public static void closeAll(Collection<? extends SvidSource> sources) {
        for (SvidSource source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("closing an SVID source failed: {}", e.toString());
            }
        }
    }
}
