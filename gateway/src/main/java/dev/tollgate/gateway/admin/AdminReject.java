package dev.tollgate.gateway.admin;

/**
 * Every answer the admin port refuses with: status, a stable reason for scripts and dashboards, and a
 * message naming the setting that changes it. Counted as {@code tollgate_admin_rejects_total{reason}}.
 */
enum AdminReject {

    FORBIDDEN_HOST(403, "forbidden_host", "Host header not allowed; add it to admin.allowed-hosts"),
    FORBIDDEN_ORIGIN(403, "forbidden_origin", "Origin not allowed; add it to admin.allowed-origins"),
    TOKEN_MISSING(401, "admin_token_missing", "this endpoint needs Authorization: Bearer <admin.token>"),
    TOKEN_INVALID(401, "admin_token_invalid", "the bearer token does not match admin.token"),
    TOKEN_NOT_CONFIGURED(403, "admin_token_not_configured",
            "set admin.token (e.g. ${TOLLGATE_ADMIN_TOKEN}) or bind admin.host to a loopback address (127.0.0.1, ::1)"),
    BODY_TOO_LARGE(413, "body_too_large", "body exceeds " + AdminServer.MAX_EXPLAIN_BODY_BYTES + " bytes");

    private final int status;
    private final String reason;
    private final String message;

    AdminReject(int status, String reason, String message) {
        this.status = status;
        this.reason = reason;
        this.message = message;
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }

    String message() {
        return message;
    }
}
