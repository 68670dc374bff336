package dev.tollgate.gateway.config;

/** Per route: whether a verified AXID is required, checked when present, or ignored. */
public enum AxidMode {
    /** Calls without a valid token get 401. */
    REQUIRED,
    /** A token, when present, must be valid; calls without one are anonymous. */
    OPTIONAL,
    /**
     * As REQUIRED, and each token is accepted once (by its {@code jti}, which it must carry): a token captured
     * in transit or from a log cannot be replayed within its lifetime. Remembered per gateway process.
     */
    SINGLE_USE,
    /** The header is not read. */
    OFF
}
