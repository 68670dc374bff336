package dev.tollgate.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads {@code audit.key-file}: the secret the audit lines are sealed with. Read at load (to refuse a bad file) and at start. */
public final class AuditKeyFile {

    /** HMAC-SHA256's block-sized key; shorter keys are refused rather than padded. */
    public static final int MIN_BYTES = 32;

    private AuditKeyFile() {
    }

    /**
     * The file's bytes without one trailing line break (so {@code openssl rand -hex 32 > key} works as it reads),
     * refused when shorter than {@link #MIN_BYTES}.
     */
    public static byte[] read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        if (length < MIN_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw new IOException("audit key file " + file + " holds " + length + " byte(s); at least " + MIN_BYTES
                    + " are needed (e.g. openssl rand -hex 32 > " + file.getFileName() + ")");
        }
        byte[] secret = Arrays.copyOf(bytes, length);
        Arrays.fill(bytes, (byte) 0);
        return secret;
    }
}
