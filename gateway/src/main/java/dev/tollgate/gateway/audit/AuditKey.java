package dev.tollgate.gateway.audit;

import dev.tollgate.gateway.config.AuditKeyFile;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's key for the audit chain ({@code audit.key-file}): each line is sealed with HMAC-SHA256 under it
 * instead of a plain SHA-256. A plain hash chain shows edits only to someone who cannot seal again: whoever can write
 * the files can change a record and hash it and every record after it anew, and the chain verifies (review AC). Under
 * a key only its holder can seal, so {@code tollgate audit verify --key} shows such a rewrite wherever it starts.
 */
public final class AuditKey {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    /** One Mac per thread (the writer seals every line; init per use would cost a key schedule each time). */
    private final ThreadLocal<Mac> macs;

    private AuditKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** The key in {@code audit.key-file} (see {@link AuditKeyFile#read}). */
    public static AuditKey read(Path file) throws IOException {
        return new AuditKey(AuditKeyFile.read(file));
    }

    /** The line's seal: HMAC-SHA256 of the content under the key, as lowercase hex (the shape of a plain hash). */
    String seal(byte[] content) {
        return HexFormat.of().formatHex(macs.get().doFinal(content)); // doFinal also resets the Mac for the next use
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
