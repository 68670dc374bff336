package dev.tollgate.gateway.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Which upstream a route reached when a call was held for approval, as a short digest of its endpoints and upstream
 * TLS, sealed into an ask-client question's requestState. A 2026 client's approved retry is a new request, decided on the
 * serving configuration (its admission, pins and policy are checked again as for any call), but the user's yes was for
 * the call to that upstream: a reload moving the route elsewhere in between supersedes it, as it does a held 2025 call
 * (review AV: a deploy approved for staging was forwarded to production).
 */
final class HeldUpstream {

    private HeldUpstream() {
    }

    /** The digest of {@code route}'s upstream in {@code snapshot} (16 hex characters; the same on every replica). */
    static String of(GatewaySnapshot snapshot, String route) {
        var config = snapshot.routes().named(route);
        String upstream = String.join("\n", snapshot.endpoints(route).stream().sorted().toList())
                + "\n" + (config == null ? "" : Objects.toString(config.config().upstreamTls()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(upstream.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
