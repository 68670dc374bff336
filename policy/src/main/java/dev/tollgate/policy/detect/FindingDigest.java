package dev.tollgate.policy.detect;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The digest a finding records ({@link Finding#digest}): HMAC-SHA256 of the matched text under the deployment's digest
 * key, its first 8 bytes as hex after {@value #PREFIX}. Two records of the same secret carry the same digest (under one
 * key), so they correlate, while neither holds the secret. Keyed because a plain hash of a value of little entropy gives
 * the value back to whoever tries every candidate: a card number whose issuer prefix and last four are known is a
 * million hashes away, an SSN a billion (review BY). Without the key nobody can try candidates; its holder can compare a
 * known value ({@link #of(byte[], String)}, {@code tollgate audit digest}).
 *
 * <p>The key is one per process, set at start by the gateway ({@link #useKey}: derived from
 * {@code audit.digest-key-file}, else {@code audit.key-file}, so every replica configured alike records the same digest
 * for the same text); until then, a random one (digests then correlate within this process only).
 */
public final class FindingDigest {

    /** What a keyed digest starts with; records written before it carry {@code sha256:} (a plain hash). */
    public static final String PREFIX = "hmac-sha256:";

    private static final String ALGORITHM = "HmacSHA256";
    /** What a digest key is derived from an operator's secret with, so the audit seal key is not used as it is. */
    private static final byte[] DERIVATION = "tollgate finding digest v1".getBytes(StandardCharsets.US_ASCII);

    private static volatile SecretKeySpec key = new SecretKeySpec(random(), ALGORITHM);
    /** A Mac and the key it was made for. */
    private record Keyed(SecretKeySpec key, Mac mac) {
    }

    /** One Mac per thread (a key schedule per finding would cost more than the digest), made anew when the key changes. */
    private static final ThreadLocal<Keyed> MACS = new ThreadLocal<>();

    private FindingDigest() {
    }

    /** Digests from now on are under {@code digestKey} (see {@link #keyFrom}). */
    public static void useKey(byte[] digestKey) {
        key = new SecretKeySpec(digestKey, ALGORITHM);
    }

    /** The digest key of an operator's secret (the bytes of {@code audit.key-file}): HMAC-SHA256 of a fixed label under it. */
    public static byte[] keyFrom(byte[] secret) {
        return mac(new SecretKeySpec(secret, ALGORITHM)).doFinal(DERIVATION);
    }

    /** The digest of {@code match} under the process's key. */
    static String of(String match) {
        SecretKeySpec current = key;
        Keyed held = MACS.get();
        if (held == null || held.key() != current) {
            held = new Keyed(current, mac(current));
            MACS.set(held);
        }
        return format(held.mac().doFinal(match.getBytes(StandardCharsets.UTF_8))); // doFinal also resets the Mac
    }

    /** The digest of {@code match} under {@code digestKey}: what a record under that key says of that text. */
    public static String of(byte[] digestKey, String match) {
        return format(mac(new SecretKeySpec(digestKey, ALGORITHM)).doFinal(match.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The {@code args_digest} of a call's arguments (their canonical JSON bytes) under the process's key: {@value #PREFIX} and
     * the whole HMAC-SHA256 as hex. Keyed for the reason findings are (fix AU): arguments of few values (a yes/no flag, an
     * account id, a card number of known prefix and suffix) were given back by a plain SHA-256 to whoever read the log.
     */
    public static String ofArguments(byte[] canonical) {
        SecretKeySpec current = key;
        Keyed held = MACS.get();
        if (held == null || held.key() != current) {
            held = new Keyed(current, mac(current));
            MACS.set(held);
        }
        return PREFIX + HexFormat.of().formatHex(held.mac().doFinal(canonical));
    }

    /** The {@code args_digest} of {@code canonical} under {@code digestKey} ({@link #keyFrom}): what replay compares. */
    public static String ofArguments(byte[] digestKey, byte[] canonical) {
        return PREFIX + HexFormat.of().formatHex(mac(new SecretKeySpec(digestKey, ALGORITHM)).doFinal(canonical));
    }

    private static String format(byte[] hmac) {
        return PREFIX + HexFormat.of().formatHex(hmac, 0, 8);
    }

    private static Mac mac(SecretKeySpec spec) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(spec);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static byte[] random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
