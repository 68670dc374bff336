package dev.tollgate.gateway.config;

/** Per route: whether a verified AXID is required, checked when present, or ignored. */
public enum AxidMode {
    /** Calls without a valid token get 401. */
    REQUIRED,
    /** A token, when present, must be valid; calls without one are anonymous. */
    OPTIONAL,
    /** The header is not read. */
    OFF
}
