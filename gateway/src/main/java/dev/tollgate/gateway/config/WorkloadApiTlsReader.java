package dev.tollgate.gateway.config;

import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.workloadapi.Address;
import java.time.Duration;
import java.util.List;

/** The {@code source: workload-api} form of a listener's {@code tls:} block (a socket alone implies it). */
final class WorkloadApiTlsReader {

    private static final List<String> FILE_FIELDS = List.of("cert-chain", "private-key", "trust-bundle");

    private WorkloadApiTlsReader() {
    }

    /** @return the Workload API TLS settings, or null when the listener uses PEM files (or the source is invalid, reported) */
    static TlsConfig read(NodeReader t, List<String> trustDomains, String engine) {
        String source = t.string("source", t.has("socket") ? "workload-api" : "files");
        if (source.equals("files")) {
            if (t.has("socket")) {
                t.problemAt("socket", "only applies to source: workload-api");
            }
            return null;
        }
        if (!source.equals("workload-api")) {
            t.problemAt("source", "must be files or workload-api");
            return null;
        }
        // Mixing both would leave it unclear which SVID the listener serves: refuse rather than guess.
        for (String field : FILE_FIELDS) {
            if (t.has(field)) {
                t.problemAt(field, "not used with source: workload-api (the SVID and bundles come from the agent)");
            }
        }
        String socket = t.has("socket") ? t.string("socket", null) : null;
        if (socket != null) {
            try {
                Address.parseAddress(socket);
            } catch (SocketEndpointAddressException | RuntimeException e) {
                t.problemAt("socket", "is not a Workload API address such as unix:/run/spire/agent.sock: " + e.getMessage());
            }
        }
        Duration timeout = t.duration("timeout", TlsConfig.DEFAULT_WORKLOAD_API_TIMEOUT);
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            t.problemAt("timeout", "must be at least 1s");
        }
        return new TlsConfig(null, null, null, trustDomains, engine, TlsConfig.Source.WORKLOAD_API, socket, timeout);
    }
}
