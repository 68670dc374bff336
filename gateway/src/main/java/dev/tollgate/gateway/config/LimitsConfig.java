package dev.tollgate.gateway.config;

/**
 * Request and response size limits applied on every listener.
 *
 * @param maxBodyBytes             largest request body accepted; above it the answer is 413
 * @param maxJsonDepth             deepest JSON nesting accepted in a request body
 * @param maxBufferedResponseBytes JSON answers up to this size are relayed in one write; larger ones stream
 */
public record LimitsConfig(long maxBodyBytes, int maxJsonDepth, long maxBufferedResponseBytes) {

    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_JSON_DEPTH = 64;
    public static final long DEFAULT_MAX_BUFFERED_RESPONSE_BYTES = 1024L * 1024;
}
