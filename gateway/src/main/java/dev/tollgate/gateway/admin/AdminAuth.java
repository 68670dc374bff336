package dev.tollgate.gateway.admin;

import dev.tollgate.gateway.config.AdminConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the admin endpoints that reveal policy or change state ({@code POST /explain},
 * {@code POST /reload}): the holder of {@code admin.token}, sent as {@code Authorization: Bearer <token>}.
 * Without a token only a loopback-bound admin listener is open, to local processes (the DNS-rebinding
 * guard runs first). Pure: no I/O, so the whole table is unit-testable.
 */
final class AdminAuth {

    private static final String SCHEME = "bearer ";

    private final byte[] tokenDigest;
    private final boolean openWithoutToken;

    AdminAuth(AdminConfig config) {
        this.tokenDigest = config.token() == null ? null : sha256(config.token());
        this.openWithoutToken = config.boundToLoopback();
    }

    /** Empty when allowed; otherwise why not. {@code authorization}: every Authorization header sent. */
    Optional<AdminReject> check(List<String> authorization) {
        return check(authorization, openWithoutToken);
    }

    /**
     * For endpoints a local process must not use without the token even on loopback: deciding approvals (an agent on
     * the same host would approve its own calls) and reading them (they carry call arguments).
     */
    Optional<AdminReject> checkRequiringToken(List<String> authorization) {
        return check(authorization, false);
    }

    private Optional<AdminReject> check(List<String> authorization, boolean openWhenNoToken) {
        if (tokenDigest == null) {
            return openWhenNoToken ? Optional.empty() : Optional.of(AdminReject.TOKEN_NOT_CONFIGURED);
        }
        if (authorization.size() > 1) {
            // Two headers could be read differently by a proxy in front: refuse rather than pick one.
            return Optional.of(AdminReject.TOKEN_INVALID);
        }
        String header = authorization.isEmpty() ? "" : authorization.get(0).strip();
        if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            // No bearer credential at all (none, or Basic and the like).
            return Optional.of(AdminReject.TOKEN_MISSING);
        }
        String presented = header.substring(SCHEME.length()).strip();
        // Digests first: MessageDigest.isEqual is constant-time for equal lengths, and digests always are,
        // so neither the token's bytes nor its length leak through timing.
        return MessageDigest.isEqual(sha256(presented), tokenDigest) ? Optional.empty() : Optional.of(AdminReject.TOKEN_INVALID);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
