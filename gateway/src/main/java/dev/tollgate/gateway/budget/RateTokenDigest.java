package dev.tollgate.gateway.budget;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** A rate-limit token as 12 hex characters of SHA-256 over its rule, tenant, owner, key and rate: short enough to seal. */
final class RateTokenDigest {

    private RateTokenDigest() {
    }

    static String of(Obligation.RateToken token) {
        String text = String.join("\n", token.rule(), String.valueOf(token.tenant()), String.valueOf(token.owner()), token.key(),
                String.format(Locale.ROOT, "%.9f", token.perSecond()), Long.toString(token.burst()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
