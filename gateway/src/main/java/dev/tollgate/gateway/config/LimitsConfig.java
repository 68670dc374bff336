package dev.tollgate.gateway.config;

import java.time.Duration;

/**
 * Request and response size limits applied on every listener.
 *
 * @param maxBodyBytes              largest request body accepted; above it the answer is 413
 * @param maxJsonDepth              deepest JSON nesting accepted in a request body
 * @param maxBufferedResponseBytes  JSON answers up to this size are relayed in one write; larger ones stream
 * @param maxBatchMessages          most messages one JSON-RPC batch may carry (each is decided and audited)
 * @param maxInspectedResponseBytes largest MCP JSON answer read and checked before relaying; above it 502
 * @param headerTimeout             a new connection must deliver a request's headers within this (slow headers)
 * @param bodyTimeout               a request's whole body must arrive within this once its headers did (slow bodies)
 * @param idleTimeout               a connection with no request in flight is closed after this
 * @param maxScannedResultBytes     largest result (or stream event) result rules read; a larger one is unscannable
 * @param denyUnscannableResults    whether an unscannable result is denied (the default) or relayed unread, when the
 *                                  call's policy has result rules
 */
public record LimitsConfig(long maxBodyBytes, int maxJsonDepth, long maxBufferedResponseBytes, int maxBatchMessages,
                           long maxInspectedResponseBytes, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
                           long maxScannedResultBytes, boolean denyUnscannableResults) {

    public static final long DEFAULT_MAX_SCANNED_RESULT_BYTES = 1024L * 1024;

    /** The limits before result scanning had its own. */
    public LimitsConfig(long maxBodyBytes, int maxJsonDepth, long maxBufferedResponseBytes, int maxBatchMessages,
                        long maxInspectedResponseBytes, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout) {
        this(maxBodyBytes, maxJsonDepth, maxBufferedResponseBytes, maxBatchMessages, maxInspectedResponseBytes, headerTimeout, bodyTimeout,
                idleTimeout, DEFAULT_MAX_SCANNED_RESULT_BYTES, true);
    }

    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_JSON_DEPTH = 64;
    public static final long DEFAULT_MAX_BUFFERED_RESPONSE_BYTES = 1024L * 1024;
    public static final int DEFAULT_MAX_BATCH_MESSAGES = 100;
    public static final long DEFAULT_MAX_INSPECTED_RESPONSE_BYTES = 16L * 1024 * 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);

    /** Every limit at its default. */
    public static LimitsConfig defaults() {
        return new LimitsConfig(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_BUFFERED_RESPONSE_BYTES,
                DEFAULT_MAX_BATCH_MESSAGES, DEFAULT_MAX_INSPECTED_RESPONSE_BYTES, DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT);
    }
}
