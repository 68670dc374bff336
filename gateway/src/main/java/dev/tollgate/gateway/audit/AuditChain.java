package dev.tollgate.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain over audit lines. A line is the record's JSON (which names the previous record's hash in
 * {@code "prev"}) followed by its own {@code "hash"}: the SHA-256 of exactly the bytes of the line up to
 * and without {@code ,"hash":"..."}, closed by {@code }}. Editing any field, the decision included, or
 * removing or reordering a line breaks the chain at that line.
 */
public final class AuditChain {

    /** The {@code prev} of the very first record. */
    public static final String GENESIS = "0".repeat(64);
    static final String HASH_FIELD = ",\"hash\":\"";
    private static final int HASH_HEX_CHARS = 64;

    /**
     * One digest per thread (the audit writer hashes every line): MessageDigest.getInstance looks the algorithm up
     * in the provider list on every call (JFR: 4 % of the full pipeline's sampled allocation).
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private AuditChain() {
    }

    /** Appends the hash to a record serialized without it: {@code {...}} becomes {@code {...,"hash":"<hex>"}}. */
    static String seal(String recordJson) {
        return recordJson.substring(0, recordJson.length() - 1) + HASH_FIELD + sha256(recordJson) + "\"}";
    }

    /**
     * The same sealing on bytes, newline included: {@code content} is the record's UTF-8 JSON ({@code {...}}),
     * hashed as it is and copied once into the line, with no intermediate strings.
     */
    static byte[] sealedLine(byte[] content, String hash) {
        byte[] field = HASH_FIELD.getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[content.length - 1 + field.length + HASH_HEX_CHARS + 3];
        int at = content.length - 1;
        System.arraycopy(content, 0, line, 0, at);
        System.arraycopy(field, 0, line, at, field.length);
        at += field.length;
        for (int i = 0; i < HASH_HEX_CHARS; i++) {
            line[at++] = (byte) hash.charAt(i);
        }
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        return line;
    }

    /** The record's content as it was hashed, or null when the line does not end in a well-formed hash field. */
    static String content(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        if (at < 0 || line.length() != at + HASH_FIELD.length() + HASH_HEX_CHARS + 2 || !line.endsWith("\"}")) {
            return null;
        }
        return line.substring(0, at) + "}";
    }

    static String claimedHash(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        return line.substring(at + HASH_FIELD.length(), at + HASH_FIELD.length() + HASH_HEX_CHARS);
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(SHA256.get().digest(bytes)); // digest() also resets it for the next use
    }

}
