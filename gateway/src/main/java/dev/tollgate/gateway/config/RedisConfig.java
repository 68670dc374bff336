package dev.tollgate.gateway.config;

import java.time.Duration;

/**
 * The Redis that gateway replicas share (ledger in strict or cached mode, shared rate limits).
 *
 * @param uri       {@code redis://host:port[/db]}
 * @param keyPrefix every key the gateway writes starts with this, so one Redis can serve several deployments
 */
public record RedisConfig(String uri, String keyPrefix, Duration timeout, int maxPoolSize) {

    public static final String DEFAULT_PREFIX = "tollgate";
}
