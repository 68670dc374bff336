package dev.tollgate.gateway.config;

import java.util.List;

/**
 * One client-facing HTTP listener.
 *
 * @param allowedHosts   host names accepted in the {@code Host} header (port ignored); DNS-rebinding guard
 * @param allowedOrigins origins accepted in the {@code Origin} header; {@code *} matches any run of
 *                       characters, e.g. {@code http://localhost:*}
 * @param tls            mTLS with SPIFFE SVIDs; null for plain HTTP
 */
public record ListenerConfig(String name, String host, int port, List<String> allowedHosts,
                             List<String> allowedOrigins, TlsConfig tls) {

    public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");
    public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of(
            "http://localhost", "http://localhost:*", "https://localhost", "https://localhost:*",
            "http://127.0.0.1", "http://127.0.0.1:*", "https://127.0.0.1", "https://127.0.0.1:*",
            "http://[::1]", "http://[::1]:*", "https://[::1]", "https://[::1]:*");

    public ListenerConfig {
        allowedHosts = List.copyOf(allowedHosts);
        allowedOrigins = List.copyOf(allowedOrigins);
    }
}
